#!/usr/bin/env python3
"""Checks that every name docs/api.md lists as available is declared in the
public headers, in the namespace or class the name says, and in a header
that the section's module header includes.

    check_api_doc.py <repository root>

The page's format (its first section, "Reading this page", says the same
for readers):
  * "## " starts a module section and "### " a subsection. A line
    "Header: `<kyoto/x.hpp>`" names the section's header, and a line that
    starts with "Status: planned" marks the section (or the subsection it
    is in) as planned: nothing in it is checked.
  * An entry is a bullet whose first backtick span starts with a fully
    qualified name: "- `kyoto::mpsc::channel<T>(std::size_t cap)` -> ...".
    An indented bullet whose first span starts with "." or "::" lists
    members of the top-level entry above it, one per such span on the
    line: "  - `.send(T v)` -> ...". A bullet containing "(planned)" is
    planned, with the lines indented under it.
  * Outside planned parts, every other kyoto::-qualified name in backticks
    or in a code block must exist too (looked up in <kyoto/kyoto.hpp>).

A name a::b::c resolves when a and a::b are namespaces, classes or enums
opened in the headers and c is declared directly in a::b (a nested class,
enum, concept, alias, function, variable or enumerator) in a header
reachable from the module header. Prints each name that does not resolve,
with its line, and exits 1; prints nothing when all resolve.
"""

import os
import re
import sys

KEYWORDS = {
    "return", "co_await", "co_return", "co_yield", "throw", "new", "delete", "else", "case",
    "sizeof", "alignof", "decltype", "noexcept", "requires", "static_assert", "if", "while",
    "for", "switch", "and", "or", "not", "alignas",
}

IDENT = r"[A-Za-z_]\w*"


# ---------------------------------------------------------------- headers

def strip_code(text):
    """Comments, string and character literals and preprocessor lines out."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#":
            # a preprocessor line (with continuations)
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    i += 2
                    continue
                i += 1
            continue
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
            continue
        if c == "'" and not (i > 0 and text[i - 1].isalnum()):  # not a digit separator
            m = re.match(r"'(?:\\.[^']*|[^\\'\n])'", text[i:])
            if m:
                out.append("' '")
                i += m.end()
                continue
        out.append(c)
        if c == "\n":
            line_start = True
        elif not c.isspace():
            line_start = False
        i += 1
    return "".join(out)


def strip_template_heads(head):
    """Removes leading `template <...>` parameter lists."""
    while True:
        m = re.match(r"\s*template\s*<", head)
        if not m:
            return head
        depth, i = 1, m.end()
        while i < len(head) and depth:
            if head[i] == "<":
                depth += 1
            elif head[i] == ">":
                depth -= 1
            i += 1
        head = head[i:]


CLASS_HEAD = re.compile(
    r"(?:^|[\s)>])(class|struct|union|enum(?:\s+class|\s+struct)?)\s+(?:\[\[.*?\]\]\s*)*"
    r"(" + IDENT + r"(?:::" + IDENT + r")*)\s*(?:<.*>)?\s*(?:final\s*)?(?::(?!:).*)?$",
    re.S,
)
NAMESPACE_HEAD = re.compile(r"(?:^|\s)(?:inline\s+)?namespace(?:\s+(" + IDENT + r"(?:::" + IDENT + r")*))?\s*$", re.S)


class scope:
    def __init__(self, kind):
        self.kind = kind          # namespace, class, enum
        self.text = {}            # file -> direct text (bodies of nested blocks removed)
        self.files = set()


def parse_header(path, rel, scopes):
    code = strip_code(open(path, encoding="utf-8").read())
    # frame: (path tuple or None for an anonymous block, text buffer list)
    stack = [((), [])]
    head = []
    for c in code:
        path_, buf = stack[-1]
        if c == "{":
            h = "".join(head)
            new_path = None
            kind = None
            if path_ is not None:
                m = NAMESPACE_HEAD.search(h)
                if m:
                    kind = "namespace"
                    new_path = path_ + (tuple(m.group(1).split("::")) if m.group(1) else ())
                else:
                    m = CLASS_HEAD.search(strip_template_heads(h))
                    if m:
                        kind = "enum" if m.group(1).startswith("enum") else "class"
                        new_path = path_ + tuple(m.group(2).split("::"))
            buf.append("{}")
            if new_path is not None:
                # Every enclosing path (namespace a::b, class x::y) exists.
                for k in range(len(path_) + 1, len(new_path)):
                    scopes.setdefault(new_path[:k], scope(kind if kind == "namespace" else "class"))
                s = scopes.setdefault(new_path, scope(kind))
                s.files.add(rel)
            stack.append((new_path, []))
            head = []
            continue
        if c == "}":
            if len(stack) > 1:
                done_path, done_buf = stack.pop()
                if done_path is not None:
                    s = scopes[done_path]
                    s.text[rel] = s.text.get(rel, "") + "".join(done_buf) + "\n"
            head = []
            continue
        buf.append(c)
        if c == ";":
            head = []
        else:
            head.append(c)
    top_buf = stack[0][1]
    s = scopes.setdefault((), scope("namespace"))
    s.text[rel] = s.text.get(rel, "") + "".join(top_buf)


CXX_KEYWORDS = {
    "class", "struct", "union", "enum", "noexcept", "requires", "const", "constexpr", "operator",
    "default", "delete", "override", "final", "typename", "template", "void", "explicit",
    "static", "inline", "return", "using", "namespace", "public", "private", "protected",
}


def declared_names(s, text):
    names = set()
    if s.kind == "enum":
        for part in text.replace("{}", "").split(","):
            m = re.match(r"\s*(" + IDENT + r")\s*(?:=.*)?$", part, re.S)
            if m:
                names.add(m.group(1))
        return names
    for m in re.finditer(r"\b(?:class|struct|union)\s+(?:\[\[.*?\]\]\s*)*(" + IDENT + r")", text):
        names.add(m.group(1))
    for m in re.finditer(r"\benum\s+(?:class\s+|struct\s+)?(" + IDENT + r")", text):
        names.add(m.group(1))
    for m in re.finditer(r"\bconcept\s+(" + IDENT + r")", text):
        names.add(m.group(1))
    for m in re.finditer(r"\busing\s+(" + IDENT + r")\s*=", text):
        names.add(m.group(1))
    # functions and variables: the name follows a type (an identifier, or
    # the end of a template argument list, a reference or a pointer)
    for m in re.finditer(r"(?<![\w~])(~?" + IDENT + r")\s*(\(|=(?!=)|\{\}|;|\[)", text):
        name = m.group(1)
        before = text[: m.start(1)].rstrip()
        if not before or before[-1] not in "_>&*}" and not before[-1].isalnum():
            continue
        if before.endswith("->"):
            continue
        prev = re.search(r"(" + IDENT + r")$", before)
        if prev and prev.group(1) in KEYWORDS:
            continue
        names.add(name)
    return names - CXX_KEYWORDS
    return names


def load_headers(root):
    inc = os.path.join(root, "include")
    scopes = {}
    includes = {}
    for dirpath, _, files in os.walk(os.path.join(inc, "kyoto")):
        for f in files:
            if not f.endswith(".hpp"):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, inc)
            text = open(path, encoding="utf-8").read()
            includes[rel] = re.findall(r'^\s*#\s*include\s+[<"](kyoto/[^>"]+)[>"]', text, re.M)
            parse_header(path, rel, scopes)
    decls = {}  # scope path -> name -> set of files
    for p, s in scopes.items():
        d = decls.setdefault(p, {})
        for rel, text in s.text.items():
            for name in declared_names(s, text):
                d.setdefault(name, set()).add(rel)
    return scopes, decls, includes


def closure(includes, header):
    seen, todo = set(), [header]
    while todo:
        h = todo.pop()
        if h in seen or h not in includes:
            continue
        seen.add(h)
        todo.extend(includes[h])
    return seen


def resolve(parts, scopes, decls, reachable):
    """None when parts resolves, else why not."""
    path = ()
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        child = path + (part,)
        if child in scopes and (not last or scopes[child].files & reachable or
                                decls.get(path, {}).get(part, set()) & reachable):
            path = child
            continue
        files = decls.get(path, {}).get(part)
        where = "::".join(path) or "the global namespace"
        if last and files:
            if files & reachable:
                return None
            return "declared in %s, which the section's header does not include" % ", ".join(sorted(files))
        if child in scopes:
            return "declared only in %s, which the section's header does not include" % ", ".join(sorted(scopes[child].files))
        if files:
            return "%s is not a namespace, class or enum" % "::".join(child)
        return "no %s declared in %s" % (part, where)
    return None


# ------------------------------------------------------------------- page

def qualified_name(s, i=0):
    """The name that starts at s[i]: components, skipping template
    arguments between them (kyoto::join_handle<T>::abort -> [kyoto,
    join_handle, abort])."""
    parts = []
    n = len(s)
    while True:
        m = re.match(IDENT, s[i:])
        if not m:
            break
        parts.append(m.group(0))
        i += m.end()
        j = i
        if j < n and s[j] == "<":
            depth = 0
            while j < n:
                if s[j] == "<":
                    depth += 1
                elif s[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                elif s[j] in ";{}":
                    break
                j += 1
            if j >= n or s[j] != ">":
                break
            j += 1
        if s.startswith("::", j):
            i = j + 2
            continue
        break
    return parts


def check_page(page, scopes, decls, includes):
    problems = []
    entries = 0
    umbrella = closure(includes, "kyoto/kyoto.hpp")
    section_header = None
    section_planned = False  # "Status: planned" before the first subsection
    sub_planned = False      # "Status: planned" inside the current subsection
    in_subsection = False
    parent = None            # (parts, planned) of the last top-level entry
    skip_indent = None       # inside a planned bullet: lines indented more are skipped
    in_code = False

    checked = set()

    def check(parts, lineno, reachable, what):
        if (lineno, tuple(parts)) in checked:
            return
        checked.add((lineno, tuple(parts)))
        why = resolve(parts, scopes, decls, reachable)
        if why:
            problems.append("docs/api.md:%d: %s `%s`: %s" % (lineno, what, "::".join(parts), why))

    for lineno, line in enumerate(open(page, encoding="utf-8").read().split("\n"), 1):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if not in_code:
            if line.startswith("## "):
                section_header, section_planned, sub_planned = None, False, False
                in_subsection, parent, skip_indent = False, None, None
                continue
            if line.startswith("### "):
                in_subsection, sub_planned, parent, skip_indent = True, False, None, None
                continue
            m = re.match(r"Header:\s*`<(kyoto/[^>]+)>`", line)
            if m:
                section_header = m.group(1)
                continue
            if re.match(r"Status:\s*planned", line, re.I):
                if in_subsection:
                    sub_planned = True
                else:
                    section_planned = True
                continue
            if re.match(r"Status:", line, re.I) and section_header and not section_planned \
                    and section_header not in includes:
                problems.append("docs/api.md:%d: no header include/%s" % (lineno, section_header))
        if section_planned or sub_planned:
            continue
        indent = len(line) - len(line.lstrip())
        if skip_indent is not None:
            if line.strip() == "" or indent > skip_indent:
                continue
            skip_indent = None
        reachable = closure(includes, section_header) if section_header else umbrella
        bullet = None if in_code else re.match(r"^(\s*)- (.*)$", line)
        if bullet:
            body = bullet.group(2)
            planned = "(planned)" in body
            spans = re.findall(r"`([^`]*)`", body)
            first = re.match(r"`([^`]*)`", body)
            name = first.group(1) if first else ""
            if indent == 0:
                parent = None
            if name.startswith("kyoto::"):
                parts = qualified_name(name)
                if indent == 0:
                    parent = (parts, planned)
                if not planned:
                    entries += 1
                    check(parts, lineno, reachable, "entry")
            elif re.match(r"[.:]", name):
                if indent == 0 or parent is None:
                    problems.append("docs/api.md:%d: member entry `%s` without an entry above it"
                                    % (lineno, name))
                elif not planned:
                    # every `.member` / `::member` span on the line is one
                    for span in spans:
                        if re.match(r"\.|::", span):
                            entries += 1
                            check(parent[0] + qualified_name(span.lstrip(".:")), lineno,
                                  reachable, "member")
            if planned:
                skip_indent = indent
                continue
        # every other kyoto:: name on the line
        for m in re.finditer(r"(?<![\w:])kyoto::", line):
            parts = qualified_name(line, m.start())
            if len(parts) > 1:
                check(parts, lineno, umbrella, "name")
    return problems, entries


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    scopes, decls, includes = load_headers(root)
    problems, entries = check_page(os.path.join(root, "docs", "api.md"), scopes, decls, includes)
    if entries < 50:
        problems.append("docs/api.md: only %d entries found: is the page in the format this check reads?" % entries)
    if problems:
        print("docs/api.md lists names the headers under include/kyoto do not declare:")
        for p in problems:
            print("  " + p)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
