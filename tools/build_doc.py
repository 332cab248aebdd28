#!/usr/bin/env python3
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""Build the documentation site: every doc/*.adoc page (files starting with '_' are partials)
to HTML with Asciidoctor, warnings being errors.

  build_doc.py [--out DIR]     default DIR: build/doc (relative to the repository root)

Steps:
  1. CHANGELOG.md is converted to AsciiDoc (DIR/_src/changelog.adoc) for doc/changelog.adoc.
  2. The diagrams doc/*.dot are rendered to DIR/<name>.png with graphviz's `dot` when it is
     installed; otherwise the committed doc/<name>.png is copied. Other doc/*.png and
     bench/results/*.png are copied.
  3. asciidoctor --failure-level=WARN -D DIR doc/<page>.adoc for every page.
CMake's `doc` target, doc/Jamfile and tools/test.sh all run this script.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "doc"


def inline_md(text):
    """Converts Markdown inline markup to AsciiDoc; code spans become literal passthroughs
    (unconstrained, so that "`co_await`ed" works)."""
    out, pos = [], 0
    for m in re.finditer(r"`([^`]+)`", text):
        out.append(inline_prose(text[pos:m.start()]))
        code = m.group(1)
        if "+" in code:
            out.append("``pass:c[" + code.replace("]", "\\]") + "]``")
        else:
            out.append("``+" + code + "+``")
        pos = m.end()
    out.append(inline_prose(text[pos:]))
    return "".join(out)


def inline_prose(text):
    text = text.replace("{", "\\{")
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"link:\2[\1]", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"*\1*", text)
    return text


def markdown_to_asciidoc(md):
    """The subset of Markdown CHANGELOG.md uses: headings, lists with indented continuation
    lines, paragraphs, fenced code blocks, code spans, links and bold."""
    blocks, current, fence = [], None, None
    for line in md.splitlines():
        if fence is not None:
            if line.strip().startswith("```"):
                blocks.append(("code", fence))
                fence = None
            else:
                fence.append(line)
            continue
        if line.strip().startswith("```"):
            current = None
            fence = []
            continue
        if not line.strip():
            current = None
            blocks.append(("blank", ""))
            continue
        m = re.match(r"(#+)\s+(.*)$", line)
        if m:
            current = None
            blocks.append(("heading", (len(m.group(1)), m.group(2))))
            continue
        m = re.match(r"(\s*)[-*+]\s+(.*)$", line)
        if m:
            current = ["item", (len(m.group(1)) // 2 + 1, m.group(2))]
            blocks.append(current)
            continue
        if current is not None:  # a continuation line joins its list item or paragraph
            level, text = current[1] if current[0] == "item" else (0, current[1])
            joined = text + " " + line.strip()
            current[1] = (level, joined) if current[0] == "item" else joined
            continue
        current = ["para", line.strip()]
        blocks.append(current)
    out = []
    for kind, value in blocks:
        if kind == "heading":
            level, title = value
            if level == 1:
                continue  # the page has its own title
            out.append("=" * level + " " + inline_md(title))
        elif kind == "item":
            level, text = value
            out.append("*" * level + " " + inline_md(text))
        elif kind == "para":
            out.append(inline_md(value))
        elif kind == "code":
            out += ["[source]", "----", *value, "----"]
        else:
            out.append("")
    return "\n".join(out).strip() + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "build" / "doc"))
    out = pathlib.Path(parser.parse_args().out).resolve()
    src = out / "_src"
    src.mkdir(parents=True, exist_ok=True)

    changelog = src / "changelog.adoc"
    changelog.write_text(markdown_to_asciidoc((ROOT / "CHANGELOG.md").read_text()))

    dot = shutil.which("dot")
    for diagram in sorted(DOC.glob("*.dot")):
        png = out / (diagram.stem + ".png")
        if dot:
            subprocess.run([dot, "-Tpng", str(diagram), "-o", str(png)], check=True)
        else:
            committed = diagram.with_suffix(".png")
            if not committed.exists():
                sys.exit(f"build_doc: no `dot` to render {diagram.name}, and no {committed.name}")
            shutil.copyfile(committed, png)
    for image in sorted(DOC.glob("*.png")):
        if not (DOC / (image.stem + ".dot")).exists():
            shutil.copyfile(image, out / image.name)
    # The benchmark chart, for a page that shows it as image::chart.png[].
    for image in sorted((ROOT / "bench" / "results").glob("*.png")):
        shutil.copyfile(image, out / image.name)

    pages = sorted(p for p in DOC.glob("*.adoc") if not p.name.startswith("_"))
    cmd = [
        "asciidoctor",
        "--failure-level=WARN",
        "-a", f"changelog-adoc={changelog}",
        "-D", str(out),
        *map(str, pages),
    ]
    result = subprocess.run(cmd)
    if result.returncode != 0:
        sys.exit(f"build_doc: asciidoctor failed or warned (exit {result.returncode})")
    print(f"build_doc: {len(pages)} pages in {out}")


if __name__ == "__main__":
    main()
