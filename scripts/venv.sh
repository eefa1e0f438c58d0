# Sourced by scripts/test and scripts/test-lower-bounds: make a venv with the
# distribution's python3, saying plainly what is missing when it cannot.
# (A stock Debian 12+/Ubuntu 23.04+ python3 is "externally managed" (PEP 668):
# pip refuses to install into it, so everything goes into a venv.)

die() { printf 'cdoctor: %s\n' "$*" >&2; exit 3; }

# need_python: python3 >= 3.11 with a working venv module (ensurepip included).
need_python() {
  command -v python3 >/dev/null 2>&1 ||
    die "python3 is not installed (Debian/Ubuntu: sudo apt-get install python3 python3-venv)"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "cdoctor needs Python 3.11 or later; python3 is $(python3 -V 2>&1 | cut -d' ' -f2)"
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    die "python3 cannot make a venv: install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)"
}

# make_venv DIR: a venv at DIR whose python runs; a broken or half-made one is made again.
make_venv() {
  local dir=$1
  if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -m pip --version >/dev/null 2>&1; then
    rm -rf "$dir"
    python3 -m venv "$dir" || die "python3 -m venv $dir failed (Debian/Ubuntu: sudo apt-get install python3-venv)"
  fi
}
