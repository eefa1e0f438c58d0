"""`@record` behaves as `@dataclass(frozen=True, slots=True)` does, without its import-time cost."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from doctor.facts.record import field, record

ROOT = Path(__file__).resolve().parent.parent


@record
class R:
    a: int
    b: str = "b"
    c: dict[str, int] = field(default_factory=dict)
    d: list[int] = field(default_factory=list, compare=False, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class D:
    a: int
    b: str = "b"
    c: dict[str, int] = dataclasses.field(default_factory=dict)
    d: list[int] = dataclasses.field(default_factory=list, compare=False, repr=False)


@record(eq=False)
class ById:
    a: int


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((1,), {}),
    ((1, "x"), {}),
    ((1,), {"c": {"k": 1}}),
    ((), {"a": 2, "b": "y", "d": [1]}),
    ((1, "x", {"k": 2}, [3]), {}),
]


def _error(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(TypeError) as e:
        fn(*args, **kwargs)
    return str(e.value).replace("D.__init__", "X").replace("R.__init__", "X")


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_construction_repr_eq_hash_like_a_dataclass(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    r, d = R(*args, **kwargs), D(*args, **kwargs)
    assert repr(r) == repr(d).replace("D(", "R(")
    assert [getattr(r, n) for n in R.__match_args__] == [getattr(d, n) for n in D.__match_args__]
    assert R.__match_args__ == D.__match_args__ == R.__slots__ == D.__slots__
    twin = R(*args, **kwargs)
    assert r == twin and r is not twin and r != D(*args, **kwargs)
    assert r == dataclasses.replace(twin, d=[9])  # compare=False is not compared
    with pytest.raises(TypeError, match="unhashable"):  # as the dataclass: a dict field cannot be hashed
        hash(r)
    assert dataclasses.asdict(r) == dataclasses.asdict(d)
    assert [f.name for f in dataclasses.fields(r)] == [f.name for f in dataclasses.fields(d)]
    assert dataclasses.is_dataclass(r) and dataclasses.is_dataclass(R)


def test_hash_like_a_dataclass() -> None:
    @record
    class H:
        a: int
        b: tuple[str, ...] = ()

    @dataclasses.dataclass(frozen=True, slots=True)
    class G:
        a: int
        b: tuple[str, ...] = ()

    assert hash(H(1, ("x",))) == hash(G(1, ("x",))) == hash(H(1, ("x",)))
    assert {H(1), H(1), H(2)} == {H(1), H(2)}


def test_factories_make_a_new_value_each_time() -> None:
    assert R(1).c is not R(1).c


def test_the_same_errors_as_a_dataclass() -> None:
    assert _error(R) == _error(D).replace("positional argument", "argument")
    assert _error(R, 1, "b", {}, [], 5) == _error(D, 1, "b", {}, [], 5)
    assert _error(R, 1, a=1) == _error(D, 1, a=1)
    assert _error(R, 1, e=1) == _error(D, 1, e=1)
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):

        @record
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]


def test_frozen_and_slotted() -> None:
    r = R(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del r.a  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        r.other = 1  # type: ignore[attr-defined]
    assert not hasattr(r, "__dict__")


def test_replace_copy_pickle() -> None:
    r = R(1, "x", {"k": 1}, [2])
    assert dataclasses.replace(r, b="y") == R(1, "y", {"k": 1}, [2])
    assert copy.copy(r) == r and copy.deepcopy(r) == r
    back = pickle.loads(pickle.dumps(r))
    assert back == r and back.d == [2]


def test_eq_false_compares_by_identity() -> None:
    one = ById(1)
    assert (one != ById(1) and one == one and hash(one) == id(one) >> 4) or hash(one) == object.__hash__(one)
    assert repr(one) == "ById(a=1)"


def test_the_healthy_path_defines_no_dataclass() -> None:
    """The modules a healthy diagnosis imports (the fast path, every built-in check, every
    gatherer) define no class with dataclasses: each costs 1.5–3 ms at import."""
    code = (
        "import dataclasses, importlib\n"
        "made = []\n"
        "orig = dataclasses._process_class\n"
        "def spy(cls, *a):\n"
        "    made.append(cls.__module__ + '.' + cls.__qualname__)\n"
        "    return orig(cls, *a)\n"
        "dataclasses._process_class = spy\n"
        "import doctor.main, doctor.commands.diagnose, doctor.run.pipeline, doctor.run.document\n"
        "from doctor.facts import keys\n"
        "from doctor.facts.store import Fact, _resolve\n"
        "from doctor.run.plugins import BUILTIN\n"
        "for v in BUILTIN.values(): importlib.import_module(v.split(':')[0])\n"
        "for f in vars(keys).values():\n"
        "    if isinstance(f, Fact) and f.name not in ('pasted_endpoint',): _resolve(f.gatherer)\n"
        "print('\\n'.join(m for m in made if m.startswith(('doctor', 'checks'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == []


def test_a_method_the_class_defines_is_kept() -> None:
    @record(eq=False)
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

    assert repr(Own(1)) == "own"
