"""`@record`: a frozen, slotted value class, made without compiling code at import.

`@dataclass(frozen=True, slots=True)` writes each class's `__init__`, `__repr__`,
`__eq__`, `__hash__`, `__setattr__`, `__delattr__` and pickling methods as source
text and exec()s them: 1.5–3 ms a class on a 2-core machine. A healthy diagnosis
defines about 75 such classes, which was the largest part of its import time.
`@record` makes the same class from shared methods that read the class's field
list. An instance costs a few microseconds more to build, which a run (a few
hundred instances) does not notice.

Like the dataclass (tests/test_record.py compares the two): the constructor
(positional or keyword arguments, defaults, `field(default_factory=...)`), frozen
instances (`dataclasses.FrozenInstanceError`), `__slots__`, `==` and `hash` over
the compared fields, `repr`, `__match_args__`, pickling and copying, and
`dataclasses.replace/fields/asdict/is_dataclass` (the fields are registered as
dataclasses registers them the first time something asks for them, so the
dataclasses module is not imported before then).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

C = TypeVar("C", bound=type)
T = TypeVar("T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class _Spec:
    """What `field()` says about one field."""

    __slots__ = ("compare", "default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, compare: bool, repr: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING, compare: bool = True,
          repr: bool = True) -> Any:  # fmt: skip
    """Like `dataclasses.field`, for the options cdoctor uses."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _Spec(default, default_factory, compare, repr)


class _Layout:
    """The fields of one record class, in order, and what the shared methods need of them."""

    __slots__ = ("annotations", "compared", "defaults", "factories", "names", "qualname", "shown", "specs")

    def __init__(self, cls: type) -> None:
        self.qualname = cls.__qualname__
        self.annotations: dict[str, Any] = {}
        self.specs: dict[str, _Spec] = {}
        # What dataclasses reads too (inspect.get_annotations would import inspect, ~10 ms).
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if isinstance(annotation, str) and annotation.replace("typing.", "").startswith("ClassVar"):
                continue
            value = cls.__dict__.get(name, MISSING)
            spec = value if isinstance(value, _Spec) else _Spec(value, MISSING, True, True)
            self.annotations[name] = annotation
            self.specs[name] = spec
        self.names = tuple(self.specs)
        self.defaults = {n: s.default for n, s in self.specs.items() if s.default is not MISSING}
        self.factories = {n: s.default_factory for n, s in self.specs.items() if s.default_factory is not MISSING}
        self.compared = tuple(n for n, s in self.specs.items() if s.compare)
        self.shown = tuple(n for n, s in self.specs.items() if s.repr)
        seen_default = ""
        for n in self.names:
            if n in self.defaults or n in self.factories:
                seen_default = n
            elif seen_default:
                raise TypeError(f"non-default argument {n!r} follows default argument")

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """The field values for one call of the constructor, with the errors Python gives for a def."""
        names = self.names
        if len(args) > len(names):
            required = sum(1 for n in names if n not in self.defaults and n not in self.factories)
            takes = f"from {required + 1} to {len(names) + 1}" if required < len(names) else str(len(names) + 1)
            raise TypeError(f"{self.qualname}.__init__() takes {takes} positional arguments "
                            f"but {len(args) + 1} were given")  # fmt: skip
        values = list(args)
        for name in names[: len(args)]:
            if name in kwargs:
                raise TypeError(f"{self.qualname}.__init__() got multiple values for argument {name!r}")
        missing = []
        for name in names[len(args) :]:
            if name in kwargs:
                values.append(kwargs.pop(name))
            elif name in self.defaults:
                values.append(self.defaults[name])
            elif name in self.factories:
                values.append(self.factories[name]())
            else:
                missing.append(name)
                values.append(MISSING)
        if kwargs:
            raise TypeError(f"{self.qualname}.__init__() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if missing:
            raise TypeError(f"{self.qualname}.__init__() missing {len(missing)} required argument"
                            f"{'s' if len(missing) > 1 else ''}: {', '.join(map(repr, missing))}")  # fmt: skip
        return values

    def dataclass_fields(self) -> dict[str, Any]:
        """The `__dataclass_fields__` dataclasses would have made (read by replace, fields, asdict)."""
        import dataclasses

        out: dict[str, Any] = {}
        for name, spec in self.specs.items():
            f: Any = dataclasses.field(default=spec.default if spec.default is not MISSING else dataclasses.MISSING,
                                  default_factory=spec.default_factory if spec.default_factory is not MISSING
                                  else dataclasses.MISSING, compare=spec.compare, repr=spec.repr)  # fmt: skip
            f.name = name
            f.type = self.annotations[name]
            f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # what fields() and asdict() select
            out[name] = f
        return out


def _layout(obj: object) -> _Layout:
    return type(obj).__record__  # type: ignore[attr-defined, no-any-return]


def _init(self: object, *args: Any, **kwargs: Any) -> None:
    layout = _layout(self)
    for name, value in zip(layout.names, layout.bind(args, kwargs), strict=True):
        object.__setattr__(self, name, value)


def _repr(self: object) -> str:
    layout = _layout(self)
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in layout.shown)
    return f"{type(self).__qualname__}({inner})"


def _eq(self: object, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = _layout(self).compared
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


def _hash(self: object) -> int:
    return hash(tuple(getattr(self, n) for n in _layout(self).compared))


def _frozen(self: object, name: str, *value: object) -> None:
    from dataclasses import FrozenInstanceError

    raise FrozenInstanceError(f"cannot assign to field {name!r}" if value else f"cannot delete field {name!r}")


def _getstate(self: object) -> list[Any]:
    return [getattr(self, n) for n in _layout(self).names]


def _setstate(self: object, state: list[Any]) -> None:
    for name, value in zip(_layout(self).names, state, strict=True):
        object.__setattr__(self, name, value)


class _DataclassFields:
    """`__dataclass_fields__`, built on first access (importing dataclasses only then)."""

    def __get__(self, obj: object, owner: type) -> dict[str, Any]:
        fields = owner.__record__.dataclass_fields()  # type: ignore[attr-defined]
        type.__setattr__(owner, "__dataclass_fields__", fields)
        return fields  # type: ignore[no-any-return]


def _make(cls: type, eq: bool) -> type:
    layout = _Layout(cls)
    ns = {k: v for k, v in cls.__dict__.items() if k not in layout.specs and k not in ("__dict__", "__weakref__")}
    ns.update(__slots__=layout.names, __match_args__=layout.names, __record__=layout,
              __dataclass_fields__=_DataclassFields(), __setattr__=_frozen, __delattr__=_frozen,
              __getstate__=_getstate, __setstate__=_setstate)  # fmt: skip
    # As dataclasses does: a method the class defines itself is kept.
    methods = {"__init__": _init, "__repr__": _repr, **({"__eq__": _eq, "__hash__": _hash} if eq else {})}
    for name, method in methods.items():
        ns.setdefault(name, method)
    new = type(cls)(cls.__name__, cls.__bases__, ns)
    new.__qualname__ = cls.__qualname__
    return new


@overload
def record(cls: C, /) -> C: ...
@overload
def record(*, eq: bool = True) -> Callable[[C], C]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: Any = None, /, *, eq: bool = True) -> Any:
    """`@dataclass(frozen=True, slots=True)`, made without exec (eq=False: compared by identity)."""
    if cls is None:
        return lambda c: _make(c, eq)
    return _make(cls, eq)


def replace(obj: T, /, **changes: Any) -> T:
    """`dataclasses.replace` for a record (without importing dataclasses); any dataclass works too."""
    layout = getattr(type(obj), "__record__", None)
    if not isinstance(layout, _Layout):
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    values = {n: getattr(obj, n) for n in layout.names}
    values.update(changes)
    return type(obj)(**values)
