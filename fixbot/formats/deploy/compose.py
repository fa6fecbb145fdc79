"""docker-compose files: each service's entrypoint and command, and GUNICORN_CMD_ARGS in its environment."""

from __future__ import annotations

import yaml

from fixbot.formats import Refusal, yaml_nodes
from fixbot.formats.deploy.scan import Program, Scan
from fixbot.formats.deploy.words import Unit, Word, literal_units, split


def read(source: str, program: Program | None = None) -> Scan | None:
    return Scan.of(source, _read, program)


def _yaml_units(node: yaml.ScalarNode, text: str, to_byte) -> tuple[list[Unit], bytes]:
    """Units of a YAML scalar, and what to write for a whole plain scalar becoming `-` (YAML wants it quoted)."""
    src = text.encode()
    a, b = to_byte(node.start_mark.index), to_byte(node.end_mark.index)
    if node.style in ("|", ">"):
        return literal_units(src, src.find(b"\n", a) + 1, b, newline=b" " if node.style == ">" else b"\n"), b"-"
    if node.style is None:
        return literal_units(src, a, b, newline=b" "), b'"-"'
    out, i = [], a + 1
    while i < b - 1:
        if node.style == "'" and src[i : i + 2] == b"''":
            out.append(Unit(b"'", i, i + 2, outer=(a, b)))
            i += 2
        elif node.style == '"' and src[i] == 0x5C:
            ch = src[i + 1 : i + 2]
            if ch != b"\n":
                out.append(Unit({b"n": b"\n", b"t": b"\t"}.get(ch, ch), i, i + 2, outer=(a, b)))
            i += 2
        else:
            out.append(Unit(b" " if src[i] == 0x0A else src[i : i + 1], i, i + 1, outer=(a, b)))
            i += 1
    return out, b"-"


def _read(f: Scan) -> None:
    text = f.source.decode()
    try:
        root = yaml_nodes.compose(text)
    except yaml.YAMLError as e:
        raise Refusal(f"does not parse: {str(e).splitlines()[0]}") from None

    def to_byte(index: int) -> int:
        return len(text[:index].encode())

    def words_of(node) -> list[Word]:
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            return split(_yaml_units(node, text, to_byte)[0])
        words = []
        for item in node.value if isinstance(node, yaml.SequenceNode) else []:
            found, dash = _yaml_units(item, text, to_byte) if isinstance(item, yaml.ScalarNode) else ([], b"")
            if found:
                start, end = found[0].outer or (found[0].start, found[-1].end)
                words.append(Word(tuple(found), start, end, dash=dash))
        return words

    services = _get(root, "services")
    for _, service in getattr(services, "value", []) if isinstance(services, yaml.MappingNode) else []:
        f.argv(words_of(_get(service, "entrypoint")) + words_of(_get(service, "command")))
        env = f.program.env.decode() if f.program.env else None  # GUNICORN_CMD_ARGS
        environment = _get(service, "environment")
        if isinstance(environment, yaml.MappingNode):
            for key, value in environment.value:
                if key.value == env and isinstance(value, yaml.ScalarNode):
                    f.cmd_args(_yaml_units(value, text, to_byte)[0], f.line(to_byte(value.start_mark.index)))
        elif isinstance(environment, yaml.SequenceNode):
            for item in environment.value:
                if env and isinstance(item, yaml.ScalarNode) and item.value.startswith(env + "="):
                    found = _yaml_units(item, text, to_byte)[0]
                    at = next(k for k, u in enumerate(found) if u.text == b"=")
                    f.cmd_args(found[at + 1 :], f.line(found[0].start))


def _get(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None

