#!/usr/bin/env python3
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""Check that doc/reference.adoc documents every public name of the library.

Public names are those declared in include/boost/asio_future.hpp and
include/boost/asio_future/*.hpp (not detail/, not impl/), outside namespace detail, outside
private/protected sections and outside `#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)` blocks:
classes, functions, operators, enums and their enumerators, type aliases, variables, data
members, and macros (include guards excepted).

Rules for doc/reference.adoc:
  - a namespace-scope name or a macro appears, in backticks, in a section title;
  - a member (or enumerator) of class C appears, in backticks, in the section whose title
    names C (with its subsections).

  check_reference.py           check; exit 1 listing what is missing
  check_reference.py --list    print the public names found in the headers
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include" / "boost"
REFERENCE = ROOT / "doc" / "reference.adoc"

TOKEN = re.compile(
    r"""(?P<id>[A-Za-z_]\w*)
      | (?P<num>\d[\w.']*)
      | (?P<op>::|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\.\.\.|[{}()\[\]<>;:,=&*~!+\-/%^|?.])""",
    re.X,
)
KEYWORDS_BEFORE_NAME = {"class", "struct", "enum", "union"}
IGNORED_WORDS = {
    "inline", "constexpr", "static", "explicit", "virtual", "const", "volatile", "typename",
    "noexcept", "override", "final", "friend", "mutable", "extern", "consteval", "constinit",
}


def strip_comments_and_strings(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append('""' if c == '"' else "' '")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def preprocess(text):
    """Drop preprocessor lines and the blocks hidden from the documentation; return
    (code, macros)."""
    macros, lines, stack = [], [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            d = s[1:].strip()
            if d.startswith("if"):  # #if, #ifdef, #ifndef
                hidden = bool(re.match(r"if\s+!\s*defined\s*\(?\s*BOOST_ASIO_FUTURE_DOXYGEN", d))
                stack.append(hidden)
            elif d.startswith("endif"):
                if stack:
                    stack.pop()
            elif d.startswith("else") or d.startswith("elif"):
                if stack:
                    stack[-1] = False if stack[-1] else stack[-1]
            elif d.startswith("define") and not any(stack):
                m = re.match(r"define\s+(\w+)", d)
                if m and not m.group(1).endswith("_HPP"):
                    macros.append(m.group(1))
            lines.append("")
            continue
        lines.append("" if any(stack) else line)
    return "\n".join(lines), macros


def tokens(code):
    return [m.group(0) for m in TOKEN.finditer(code)]


def skip_angles(toks, i):
    """toks[i] is '<'; return the index after the matching '>'."""
    depth, paren = 0, 0
    while i < len(toks):
        t = toks[i]
        if t in "([":
            paren += 1
        elif t in ")]":
            paren -= 1
        elif paren == 0 and t == "<":
            depth += 1
        elif paren == 0 and t == ">":
            depth -= 1
        elif paren == 0 and t == ">>":
            depth -= 2
        if depth <= 0 and t in (">", ">>"):
            return i + 1
        i += 1
    return i


def strip_templates(decl):
    """Remove every `template <...>` head from a declaration's tokens."""
    out, i = [], 0
    while i < len(decl):
        if decl[i] == "template" and i + 1 < len(decl) and decl[i + 1] == "<":
            i = skip_angles(decl, i + 1)
        else:
            out.append(decl[i])
            i += 1
    return out


def declared_name(decl, scope_class):
    """The name a declaration (tokens up to ';' or '{') introduces, and its kind; None when it
    introduces no public name (constructors, destructors, friend classes, using-directives)."""
    d = strip_templates(decl)
    if not d:
        return None
    if d[0] == "using":
        if len(d) > 2 and d[2] == "=":
            return d[1], "alias"
        return None
    if "friend" in d and "(" not in d:
        return None  # friend class
    head = d[0] if d[0] not in IGNORED_WORDS else next((t for t in d if t not in IGNORED_WORDS), "")
    if head in KEYWORDS_BEFORE_NAME:
        j = d.index(head) + 1
        if j < len(d) and d[j] in ("class", "struct"):  # enum class
            j += 1
        if j < len(d) and re.match(r"[A-Za-z_]\w*$", d[j]):
            return d[j], ("enum" if head == "enum" else "class")
        return None
    # A function: the name before the first '(' (operators need their symbol).
    if "(" in d:
        k = d.index("(")
        if "operator" in d[:k + 1]:
            o = d.index("operator")
            sym = "".join(d[o + 1:k]) or ""
            if sym == "" and d[k + 1:k + 2] == [")"]:
                sym = "()"
            return "operator" + sym, "function"
        if k == 0 or not re.match(r"[A-Za-z_]\w*$", d[k - 1]):
            return None
        name = d[k - 1]
        if name == scope_class or (k >= 2 and d[k - 2] == "~"):
            return None  # constructor or destructor
        if name in ("BOOST_ASIO_COMPLETION_TOKEN_FOR", "decltype", "noexcept"):
            return None
        return name, "function"
    # A variable or data member: the last identifier before '=' or the end.
    end = d.index("=") if "=" in d else len(d)
    ids = [t for t in d[:end] if re.match(r"[A-Za-z_]\w*$", t) and t not in IGNORED_WORDS]
    if ids:
        return ids[-1], "variable"
    return None


class Scope:
    def __init__(self, kind, name, public):
        self.kind = kind  # namespace, class, enum, body
        self.name = name
        self.public = public


def scan_header(path):
    """Return [(qualifier, name, kind)] for the public names of one header."""
    code, macros = preprocess(strip_comments_and_strings(path.read_text()))
    names = [("", m, "macro") for m in macros]
    toks = tokens(code)
    stack = [Scope("namespace", "", True)]
    decl = []

    def visible():
        ns = [s.name for s in stack if s.kind == "namespace" and s.name]
        if ns[:2] != ["boost", "asio_future"] or len(ns) != 2:
            return False
        return all(s.public for s in stack) and stack[-1].kind in ("namespace", "class")

    def qualifier():
        return "::".join(s.name for s in stack if s.kind == "class")

    i = 0
    while i < len(toks):
        t = toks[i]
        top = stack[-1]
        if top.kind == "body":
            if t == "{":
                stack.append(Scope("body", "", True))
            elif t == "}":
                stack.pop()
            i += 1
            continue
        if top.kind == "enum":
            if t == "}":
                stack.pop()
                decl = []
            elif not decl and re.match(r"[A-Za-z_]\w*$", t):
                if visible_enum(stack):
                    names.append((top.name, t, "enumerator"))
                decl = [t]
            elif t == ",":
                decl = []
            i += 1
            continue
        if top.kind == "class" and t in ("public", "private", "protected") and \
                i + 1 < len(toks) and toks[i + 1] == ":" and not decl:
            top.public = t == "public"
            i += 2
            continue
        if t == "namespace" and not decl:
            j = i + 1
            parts = []
            while j < len(toks) and toks[j] != "{":
                if toks[j] != "::":
                    parts.append(toks[j])
                j += 1
            for p in parts:
                stack.append(Scope("namespace", p, True))
            stack[-1].ns_count = len(parts)
            i = j + 1
            continue
        if t == "}":
            s = stack.pop()
            if s.kind == "namespace":
                for _ in range(getattr(s, "ns_count", 1) - 1):
                    stack.pop()
            decl = []
            i += 1
            continue
        if t == "(":
            # Keep parentheses balanced inside one declaration (default arguments, noexcept).
            depth, j = 0, i
            while j < len(toks):
                depth += toks[j] == "("
                depth -= toks[j] == ")"
                decl.append(toks[j])
                j += 1
                if depth == 0:
                    break
            i = j
            continue
        if t == ";":
            if decl:
                named = declared_name(decl, top.name if top.kind == "class" else None)
                if named and visible():
                    names.append((qualifier(), named[0], named[1]))
            decl = []
            i += 1
            continue
        if t == "{":
            named = declared_name(decl, top.name if top.kind == "class" else None)
            is_visible = visible()
            if named and is_visible:
                names.append((qualifier(), named[0], named[1]))
            if named and named[1] == "class":
                # Members of a struct are public by default, those of a class private.
                key = next(t for t in strip_templates(decl) if t in ("class", "struct"))
                stack.append(Scope("class", named[0], is_visible and key == "struct"))
            elif named and named[1] == "enum":
                stack.append(Scope("enum", named[0], is_visible))
            else:
                stack.append(Scope("body", "", True))
            decl = []
            i += 1
            continue
        decl.append(t)
        i += 1
    return names


def visible_enum(stack):
    ns = [s.name for s in stack if s.kind == "namespace" and s.name]
    return ns == ["boost", "asio_future"] and all(s.public for s in stack)


def public_names():
    headers = [INCLUDE / "asio_future.hpp"] + sorted((INCLUDE / "asio_future").glob("*.hpp"))
    found = {}
    for h in headers:
        for q, n, k in scan_header(h):
            found.setdefault((q, n), (k, h.relative_to(ROOT)))
    return found


def sections(text):
    """[(level, title, body)] for each section of an AsciiDoc file, body including
    subsections."""
    lines = text.splitlines()
    heads = []
    in_block = False
    for idx, line in enumerate(lines):
        if line.strip() in ("----", "...."):
            in_block = not in_block
        m = None if in_block else re.match(r"(=+)\s+(.*)$", line)
        if m:
            heads.append((idx, len(m.group(1)), m.group(2)))
    out = []
    for n, (idx, level, title) in enumerate(heads):
        end = len(lines)
        for idx2, level2, _ in heads[n + 1:]:
            if level2 <= level:
                end = idx2
                break
        out.append((level, title, "\n".join(lines[idx + 1:end])))
    return out


def code_words(text):
    """The identifiers and operator names written inside backticks. A header's path
    (`<boost/asio_future/shield.hpp>`) names no declaration."""
    words = set()
    for span in re.findall(r"`([^`]+)`", text):  # a span may wrap lines
        if re.fullmatch(r"<[\w/.]+\.hpp>", span.strip()):
            continue
        words.update(re.findall(r"[A-Za-z_]\w*", span))
        for op in re.findall(r"operator\s*(\(\)|<<|==|!=|[^\s\w(]+)", span):
            words.add("operator" + op)
    return words


def main():
    found = public_names()
    if "--list" in sys.argv[1:]:
        for (q, n), (k, h) in sorted(found.items(), key=lambda x: (str(x[1][1]), x[0])):
            print(f"{h}: {k} {q + '::' if q else ''}{n}")
        return 0
    if len(found) < 20:
        sys.exit(f"check_reference: only {len(found)} public names found; the scanner is broken")
    text = REFERENCE.read_text()
    secs = sections(text)
    title_words = set()
    for _, title, _ in secs:
        title_words |= code_words(title)
    missing = []
    for (q, n), (k, h) in sorted(found.items()):
        if not q:
            if n not in title_words:
                missing.append(f"{h}: {k} `{n}` has no section title naming it")
            continue
        # The section of the innermost class that has one (a nested type may be documented
        # within its enclosing class).
        bodies, owner = [], q.split("::")[-1]
        for owner in reversed(q.split("::")):
            bodies = [t + "\n" + b for _, t, b in secs if owner in code_words(t)]
            if bodies:
                break
        if not bodies:
            missing.append(f"{h}: class `{q}` (of {k} `{n}`) has no section title naming it")
        elif not any(n in code_words(b) for b in bodies):
            missing.append(f"{h}: {k} `{q}::{n}` is not mentioned in the section of `{owner}`")
    if missing:
        print(f"check_reference: {REFERENCE.relative_to(ROOT)} misses {len(missing)} public "
              f"name(s):")
        for m in missing:
            print("  " + m)
        return 1
    print(f"check_reference: OK ({len(found)} public names documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
