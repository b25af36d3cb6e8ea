"""The subset of Spring Expression Language that promotion pipelines use, evaluated as orca does.

Sources: kork ``kork-expressions/.../ExpressionTransform.java:149-231`` (which strings are evaluated, typed
versus text results, failures keep the raw text), orca ``StageExpressionFunctionProvider.java:152-211``
(``#stage``, ``#judgment``), kork ``ExpressionsSupport.java:239-332`` (``#toInt`` and friends), orca
``StageContext.java:57-67`` (unknown names fall back to ancestors' outputs).

Supported: string, number, boolean and null literals; ``==  !=  <  >  <=  >=`` (and ``eq ne lt gt le ge``),
``matches``; ``and or not && || !``; ``? :`` and ``?:``; ``+`` and ``-``; property access ``a.b`` and
``a?.b``; indexing ``a['b']`` and ``a[0]``; collection selection ``a.?[refId == '1']`` and ``a.^[...]``;
the methods ``equals contains equalsIgnoreCase startsWith
endsWith toLowerCase toUpperCase trim isEmpty size length toString matches substring replace split indexOf``;
the functions ``#judgment #judgement #stage #toInt #toFloat #toBoolean #alphanumerical #toJson
#triggerResolvedArtifact``. Anything else raises `NotSimulated`, which names the expression: the simulator
never guesses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["EvaluationError", "NotSimulated", "Scope", "evaluate", "evaluate_string", "evaluate_value"]


class EvaluationError(Exception):
    """The expression fails in Spinnaker too (orca keeps the raw text and records the message)."""


class NotSimulated(Exception):
    """The expression uses something outside the simulated subset; the message names it."""


_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.\d+|\d+)|(?P<string>'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")"
    r"|(?P<op>\.\?\[|\.\^\[|\?\.|\?:|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()\[\]{}#])|(?P<name>[A-Za-z_$][A-Za-z0-9_$]*))"
)
_WORD_OPS = {
    "and": "&&",
    "or": "||",
    "not": "!",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "matches": "matches",
}


def _tokens(text: str) -> list[tuple[str, Any]]:
    result: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        found = _TOKEN.match(text, position)
        if found is None:
            raise NotSimulated(f"expression not simulated: {text!r} (cannot read {text[position:]!r})")
        position = found.end()
        if found.group("number") is not None:
            number = found.group("number")
            result.append(("lit", float(number) if "." in number else int(number)))
        elif found.group("string") is not None:
            raw = found.group("string")
            quote = raw[0]
            result.append(("lit", raw[1:-1].replace(quote * 2, quote)))
        elif found.group("op") is not None:
            result.append(("op", found.group("op")))
        else:
            name = found.group("name")
            after_dot = bool(result) and result[-1] in (("op", "."), ("op", "?."))
            if after_dot:
                result.append(("name", name))  # a method or property named like an operator: a.matches(...)
            elif name in _WORD_OPS:
                result.append(("op", _WORD_OPS[name]))
            elif name in ("true", "false"):
                result.append(("lit", name == "true"))
            elif name == "null":
                result.append(("lit", None))
            else:
                result.append(("name", name))
    result.append(("end", None))
    return result


Node = Callable[["Scope"], Any]


class Scope:
    """What an expression sees: named values, helper functions, and a fallback for unknown names.

    ```pycon
    >>> Scope({"parameters": {"env": "prod"}}).lookup("parameters")
    {'env': 'prod'}

    ```
    """

    def __init__(
        self,
        names: Mapping[str, Any],
        *,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        fallback: Callable[[str], Any] | None = None,
    ) -> None:
        self.names = names
        self.functions = dict(_BUILTINS, **(functions or {}))
        self.fallback = fallback

    def lookup(self, name: str) -> Any:
        """A name's value; unknown names read as the fallback's answer, else null (orca at stage time)."""
        if name in self.names:
            return self.names[name]
        return self.fallback(name) if self.fallback is not None else None


def _to_int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise EvaluationError(f'For input string: "{value}"') from None


def _to_float(value: Any) -> float:
    try:
        return float(str(value).strip())
    except ValueError:
        raise EvaluationError(f'For input string: "{value}"') from None


_BUILTINS: dict[str, Callable[..., Any]] = {
    # kork ExpressionsSupport.java:239-332
    "toInt": _to_int,
    "toFloat": _to_float,
    "toBoolean": lambda value: str(value).lower() == "true",  # Boolean.valueOf
    "alphanumerical": lambda value: re.sub(r"[^A-Za-z0-9]", "", str(value)),
    "toJson": lambda value: json.dumps(value, separators=(",", ":")),
}


def _java_string(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right if isinstance(left, bool) and isinstance(right, bool) else False
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    return (type(left) is type(right) and left == right) or (left is None and right is None)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if left is None or right is None:
        raise EvaluationError(f"EL1030E: The operator '{op}' is not supported between {left!r} and {right!r}")
    numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
    if not numbers and not (isinstance(left, str) and isinstance(right, str)):
        raise EvaluationError(f"EL1030E: The operator '{op}' is not supported between {left!r} and {right!r}")
    return bool({"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op])


def _truth(value: Any, text: str) -> bool:
    if isinstance(value, bool):
        return value
    raise EvaluationError(f"EL1001E: Type conversion problem, cannot convert {_java_string(value)!r} to boolean")


_JAVA_TYPES = {str: "java.lang.String", bool: "java.lang.Boolean", int: "java.lang.Integer", float: "java.lang.Double"}


def _java_type(value: Any) -> str:
    if isinstance(value, Mapping):
        return "java.util.LinkedHashMap"
    if isinstance(value, (list, tuple)):
        return "java.util.ArrayList"
    return _JAVA_TYPES.get(type(value), type(value).__name__)


def _method(target: Any, name: str, args: list[Any], text: str) -> Any:
    if target is None:
        raise EvaluationError(f"EL1011E: Method call: Attempted to call method {name}() on null context object")
    try:
        return _call(target, name, args, text)
    except (TypeError, IndexError) as exc:
        # wrong arity or argument types: SpEL finds no such method (MethodReference, SpelMessage.METHOD_NOT_FOUND)
        signature = ", ".join(_java_type(arg) for arg in args)
        raise EvaluationError(
            f"EL1004E: Method call: Method {name}({signature}) cannot be found on type {_java_type(target)}"
        ) from exc
    except (ValueError, re.error) as exc:
        # the method itself throws, e.g. split with an invalid regex (SpelMessage.EXCEPTION_DURING_METHOD_INVOCATION)
        raise EvaluationError(
            f"EL1023E: A problem occurred whilst attempting to invoke method '{name}' on object of type "
            f"'{_java_type(target)}': {exc}"
        ) from exc


def _call(target: Any, name: str, args: list[Any], text: str) -> Any:
    if name == "equals":
        return _equal(target, args[0])
    if name == "toString":
        return _java_string(target)
    if isinstance(target, str):
        string_methods: dict[str, Callable[..., Any]] = {
            "contains": lambda sub: str(sub) in target,
            "equalsIgnoreCase": lambda other: isinstance(other, str) and other.lower() == target.lower(),
            "startsWith": lambda prefix: target.startswith(str(prefix)),
            "endsWith": lambda suffix: target.endswith(str(suffix)),
            "toLowerCase": target.lower,
            "toUpperCase": target.upper,
            "trim": target.strip,
            "isEmpty": lambda: target == "",
            "length": lambda: len(target),
            "matches": lambda pattern: _regex_matches(target, pattern),
            "substring": lambda start, end=None: target[start:end],
            "replace": lambda old, new: target.replace(str(old), str(new)),
            "split": lambda pattern: re.split(str(pattern), target),
            "indexOf": lambda sub: target.find(str(sub)),
        }
        if name in string_methods:
            return string_methods[name](*args)
    if isinstance(target, (list, tuple, Mapping)):
        if name == "contains" and not isinstance(target, Mapping):
            return any(_equal(item, args[0]) for item in target)
        if name == "containsKey" and isinstance(target, Mapping):
            return args[0] in target
        if name == "size":
            return len(target)
        if name == "isEmpty":
            return len(target) == 0
    raise NotSimulated(f"expression not simulated: {text!r} (method {name}() on {type(target).__name__})")


def _property(target: Any, name: str, safe: bool) -> Any:
    if target is None:
        if safe:
            return None
        raise EvaluationError(f"EL1007E: Property or field '{name}' cannot be found on null")
    if isinstance(target, Mapping):
        return target.get(name)  # orca's map accessor reads an unknown key as null at stage time
    raise EvaluationError(
        f"EL1008E: Property or field '{name}' cannot be found on object of type '{type(target).__name__}'"
    )


def _index(target: Any, key: Any) -> Any:
    if target is None:
        raise EvaluationError("EL1012E: Cannot index into a null value")
    if isinstance(target, Mapping):
        return target.get(key if isinstance(key, str) else _java_string(key))
    if isinstance(target, (list, tuple, str)) and isinstance(key, int) and not isinstance(key, bool):
        if 0 <= key < len(target):
            return target[key]
        raise EvaluationError(f"EL1025E: The collection has '{len(target)}' elements, index '{key}' is invalid")
    raise EvaluationError(f"EL1027E: Indexing into type '{type(target).__name__}' is not supported")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self, *ops: str) -> bool:
        kind, value = self.tokens[self.position]
        return kind == "op" and value in ops

    def take(self) -> tuple[str, Any]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, op: str) -> None:
        if not self.peek(op):
            raise NotSimulated(f"expression not simulated: {self.text!r} (expected {op!r})")
        self.position += 1

    def parse(self) -> Node:
        node = self.ternary()
        if self.tokens[self.position][0] != "end":
            raise NotSimulated(
                f"expression not simulated: {self.text!r} (unexpected {self.tokens[self.position][1]!r})"
            )
        return node

    def ternary(self) -> Node:
        condition = self.binary(0)
        if self.peek("?:"):
            self.take()
            fallback = self.ternary()
            return lambda scope: condition(scope) if condition(scope) is not None else fallback(scope)
        if self.peek("?"):
            self.take()
            then = self.ternary()
            self.expect(":")
            otherwise = self.ternary()
            text = self.text
            return lambda scope: then(scope) if _truth(condition(scope), text) else otherwise(scope)
        return condition

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",),
        ("&&",),
        ("==", "!=", "<", ">", "<=", ">=", "matches"),
        ("+", "-"),
    )

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek(*self._LEVELS[level]):
            op = self.take()[1]
            left = self.combine(op, left, self.binary(level + 1))
            if level == 2:
                break
        return left

    def combine(self, op: str, left: Node, right: Node) -> Node:
        text = self.text
        if op == "||":
            return lambda scope: _truth(left(scope), text) or _truth(right(scope), text)
        if op == "&&":
            return lambda scope: _truth(left(scope), text) and _truth(right(scope), text)
        if op == "matches":
            return lambda scope: _regex_matches(left(scope), right(scope))
        if op == "+":
            return lambda scope: _plus(left(scope), right(scope))
        if op == "-":
            return lambda scope: _minus(left(scope), right(scope))
        return lambda scope: _compare(op, left(scope), right(scope))

    def unary(self) -> Node:
        if self.peek("!"):
            self.take()
            operand = self.unary()
            text = self.text
            return lambda scope: not _truth(operand(scope), text)
        if self.peek("-"):
            self.take()
            operand = self.unary()
            return lambda scope: -operand(scope)
        if self.peek("*", "/", "%"):
            raise NotSimulated(f"expression not simulated: {self.text!r} (operator {self.tokens[self.position][1]})")
        return self.postfix(self.primary())

    def arguments(self) -> list[Node]:
        self.expect("(")
        return self.items_until(")")

    def items_until(self, closer: str) -> list[Node]:
        """Expressions separated by commas up to ``closer``, which is consumed."""
        items: list[Node] = []
        while not self.peek(closer):
            items.append(self.ternary())
            if not self.peek(closer):
                self.expect(",")
        self.expect(closer)
        return items

    def primary(self) -> Node:
        kind, value = self.take()
        text = self.text
        if kind == "lit":
            return lambda scope: value
        if kind == "name":
            return lambda scope: scope.lookup(value)
        if kind == "op" and value == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        if kind == "op" and value == "{":
            items = self.items_until("}")
            return lambda scope: [item(scope) for item in items]
        if kind == "op" and value == "#":
            name_kind, name = self.take()
            if name_kind != "name":
                raise NotSimulated(f"expression not simulated: {text!r}")
            if name == "root":
                return lambda scope: scope.names
            args = self.arguments()

            def call(scope: Scope) -> Any:
                function = scope.functions.get(name)
                if function is None:
                    raise NotSimulated(f"expression not simulated: {text!r} (function #{name})")
                return function(*(arg(scope) for arg in args))

            return call
        raise NotSimulated(f"expression not simulated: {text!r} (unexpected {value!r})")

    def postfix(self, node: Node) -> Node:
        while True:
            if self.peek(".", "?."):
                safe = self.take()[1] == "?."
                kind, name = self.take()
                if kind != "name":
                    raise NotSimulated(f"expression not simulated: {self.text!r}")
                if self.peek("("):
                    args = self.arguments()
                    node = self.method_node(node, name, args, safe)
                else:
                    node = self.property_node(node, name, safe)
            elif self.peek("["):
                self.take()
                key = self.ternary()
                self.expect("]")
                node = self.index_node(node, key)
            elif self.peek(".?[", ".^["):
                first = self.take()[1] == ".^["
                predicate = self.ternary()
                self.expect("]")
                node = self.selection_node(node, predicate, first, self.text)
            else:
                return node

    def method_node(self, target: Node, name: str, args: list[Node], safe: bool) -> Node:
        text = self.text

        def call(scope: Scope) -> Any:
            value = target(scope)
            if value is None and safe:
                return None
            return _method(value, name, [arg(scope) for arg in args], text)

        return call

    @staticmethod
    def selection_node(target: Node, predicate: Node, first: bool, text: str) -> Node:
        """``list.?[predicate]`` (every match) and ``list.^[predicate]`` (the first, or null): Spring's
        Selection.java; inside the brackets names are read from each element, which is the context object."""

        def select(scope: Scope) -> Any:
            items = target(scope)
            if not isinstance(items, (list, tuple)):
                raise NotSimulated(f"expression not simulated: {text!r} (selection on {type(items).__name__})")
            chosen = []
            for item in items:
                names = item if isinstance(item, Mapping) else {}
                inner = Scope(names, functions=scope.functions, fallback=lambda _name: None)
                if _truth(predicate(inner), text):
                    if first:
                        return item
                    chosen.append(item)
            return None if first else chosen

        return select

    @staticmethod
    def property_node(target: Node, name: str, safe: bool) -> Node:
        return lambda scope: _property(target(scope), name, safe)

    @staticmethod
    def index_node(target: Node, key: Node) -> Node:
        return lambda scope: _index(target(scope), key(scope))


def _regex_matches(value: Any, pattern: Any) -> bool:
    # SpEL's `matches` and Java's String.matches: the whole string must match
    if value is None:
        raise EvaluationError("EL1050E: The 'matches' operator needs a string on its left, not null")
    try:
        return re.fullmatch(str(pattern), str(value)) is not None
    except re.error as error:
        raise EvaluationError(f"EL1051E: The regular expression {pattern!r} is invalid: {error}") from None


def _plus(left: Any, right: Any) -> Any:
    if isinstance(left, str) or isinstance(right, str):
        return _java_string(left) + _java_string(right)
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left + right
    raise EvaluationError(f"EL1030E: The operator 'ADD' is not supported between {left!r} and {right!r}")


def _minus(left: Any, right: Any) -> Any:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left - right
    raise EvaluationError(f"EL1030E: The operator 'SUBTRACT' is not supported between {left!r} and {right!r}")


_COMPILED: dict[str, Node] = {}


def evaluate(expression: str, scope: Scope) -> Any:
    """Evaluate one expression (without ``${}``); raise `EvaluationError` or `NotSimulated`.

    ```pycon
    >>> evaluate("trigger.branch == 'main' and !parameters['dryRun']",
    ...          Scope({"trigger": {"branch": "main"}, "parameters": {"dryRun": False}}))
    True

    ```
    """
    node = _COMPILED.get(expression)
    if node is None:
        node = _Parser(expression).parse()
        _COMPILED[expression] = node
    return node(scope)


def _parts(text: str) -> list[tuple[bool, str]]:
    """Split text into literal and ``${...}`` parts (braces inside an expression nest)."""
    parts: list[tuple[bool, str]] = []
    position = 0
    while True:
        start = text.find("${", position)
        if start < 0:
            parts.append((False, text[position:]))
            return parts
        parts.append((False, text[position:start]))
        depth, index = 0, start + 2
        quote: str | None = None
        while index < len(text):
            char = text[index]
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    break
                depth -= 1
            index += 1
        if index >= len(text):
            parts.append((False, text[start:]))
            return parts
        parts.append((True, text[start + 2 : index]))
        position = index + 1


def evaluate_string(text: str, scope: Scope, errors: list[str]) -> Any:
    """Evaluate the ``${...}`` parts of ``text`` as kork's ExpressionTransform does.

    ``${expr}`` alone gives the typed value; mixed text gives text. A failing part keeps its raw text and
    appends its message to ``errors`` (ExpressionTransform.java:179-217). `NotSimulated` propagates.

    ```pycon
    >>> errors = []
    >>> evaluate_string("v-${parameters.n}", Scope({"parameters": {"n": 3}}), errors), errors
    ('v-3', [])

    ```
    """
    if "${" not in text:
        return text
    parts = _parts(text)
    expressions = [part for part in parts if part[0]]
    literal_text = "".join(value for is_expression, value in parts if not is_expression)
    if len(expressions) == 1 and literal_text == "":
        try:
            value = evaluate(expressions[0][1].strip(), scope)
        except EvaluationError as error:
            errors.append(f"Failed to evaluate [{expressions[0][1].strip()}] {error}")
            return text
        if value is None:
            errors.append(f"Failed to evaluate [{expressions[0][1].strip()}] result is null")
            return text
        return value
    out: list[str] = []
    for is_expression, value in parts:
        if not is_expression:
            out.append(value)
            continue
        try:
            result = evaluate(value.strip(), scope)
        except EvaluationError as error:
            errors.append(f"Failed to evaluate [{value.strip()}] {error}")
            out.append("${" + value + "}")
            continue
        out.append("${" + value + "}" if result is None else _java_string(result))
    return "".join(out)


def evaluate_value(value: Any, scope: Scope, errors: list[str]) -> Any:
    """`evaluate_string` over every string in a JSON value (map keys too), returning a new value.

    ```pycon
    >>> evaluate_value({"tag": "${trigger['tag']}"}, Scope({"trigger": {"tag": "v2"}}), [])
    {'tag': 'v2'}

    ```
    """
    if isinstance(value, str):
        return evaluate_string(value, scope, errors)
    if isinstance(value, list):
        return [evaluate_value(item, scope, errors) for item in value]
    if isinstance(value, Mapping):
        return {
            evaluate_string(key, scope, errors) if isinstance(key, str) else key: evaluate_value(item, scope, errors)
            for key, item in value.items()
        }
    return value
