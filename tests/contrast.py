"""The contrast of every visible text on a page as chromium draws it (WCAG 2 relative luminance), and the layout
checks of text at 200 %: nothing clipped, nothing overlapping, no horizontal scroll."""

from __future__ import annotations

# Each element with its own visible text: its colour against the first opaque background behind it (the page's
# white at the root), both as the computed rgb(a) chromium reports, and the ratio (L1 + 0.05) / (L2 + 0.05).
_CONTRASTS = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] >= 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const node of document.body.querySelectorAll("*")) {
    const own = Array.from(node.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.getClientRects().length) continue;
    const style = getComputedStyle(node);
    if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
    const fg = parse(style.color).slice(0, 3);
    const bg = background(node);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out.push({ text: node.textContent.trim().slice(0, 40), color: style.color, background: `rgb(${bg.join(", ")})`,
               ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 });
  }
  return out;
}"""

# Leaf text elements whose text is cut by their own box, or whose visible boxes overlap another's; and the page's
# horizontal overflow in CSS pixels.
_LAYOUT = """() => {
  const leaves = Array.from(document.body.querySelectorAll("*")).filter((n) =>
    n.children.length === 0 && n.textContent.trim() && n.getClientRects().length &&
    getComputedStyle(n).visibility !== "hidden");
  const clipped = leaves.filter((n) => n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== "visible")
    .map((n) => n.textContent.trim().slice(0, 40));
  // What shows of each box: cut by every scrolling or clipping box around it (a list scrolled under the footer
  // is hidden by its own box, not drawn over the footer).
  const shown = (n) => {
    let r = n.getBoundingClientRect();
    for (let a = n.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowY === "visible") continue;
      const c = a.getBoundingClientRect();
      r = { left: Math.max(r.left, c.left), right: Math.min(r.right, c.right),
            top: Math.max(r.top, c.top), bottom: Math.min(r.bottom, c.bottom) };
    }
    return r;
  };
  // A sticky or fixed cue over a scrolling list ("Kéo xuống để xem thêm") floats over it on purpose: the list
  // scrolls from under it. Such overlays are left out of the overlap check.
  const floating = (n) => {
    for (let a = n; a && a !== document.body; a = a.parentElement) {
      if (["sticky", "fixed"].includes(getComputedStyle(a).position)) return true;
    }
    return false;
  };
  const boxes = leaves.filter((n) => !floating(n)).map((n) => [n, shown(n)])
    .filter(([, r]) => r.right > r.left && r.bottom > r.top);
  const overlapping = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, r] = boxes[i]; const [b, s] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (w > 2 && h > 2) overlapping.push([a.textContent.trim().slice(0, 30), b.textContent.trim().slice(0, 30)]);
    }
  }
  return { clipped, overlapping, overflow: document.documentElement.scrollWidth - window.innerWidth };
}"""


def text_contrasts(page) -> list[dict]:
    """Every visible text element: {text, color, background, ratio}."""
    return page.evaluate(_CONTRASTS)


def lowest(contrasts: list[dict]) -> dict:
    return min(contrasts, key=lambda c: c["ratio"])


def text_layout(page) -> dict:
    """{clipped: [texts], overlapping: [[text, text]], overflow: px}."""
    return page.evaluate(_LAYOUT)
