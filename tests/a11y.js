// In-page checks of axe-core's rules of impact serious or critical that the case pages can break, for the
// browser tests (tests/test_browser_case_accessibility.py): axe-core itself (axe-playwright-python) is not
// installed. Returns one line per violation: "rule: what, where".
() => {
  const problems = [];
  const where = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const name = el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "";
    const text = (el.textContent || "").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${name}> ${text}`;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  const byId = (id) => document.getElementById(id);
  const labelledText = (el) => {
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    return ids.map((id) => (byId(id) ? byId(id).textContent : "")).join(" ").trim();
  };
  const accessibleName = (el) =>
    (
      el.getAttribute("aria-label") ||
      labelledText(el) ||
      (el.labels ? Array.from(el.labels).map((l) => l.textContent).join(" ") : "") ||
      el.getAttribute("title") ||
      ""
    ).trim();
  const contentName = (el) =>
    (
      accessibleName(el) ||
      el.textContent ||
      Array.from(el.querySelectorAll("img[alt]")).map((img) => img.alt).join(" ") ||
      el.value ||
      ""
    ).trim();

  // html-has-lang, html-lang-valid (serious), document-title (serious)
  if (!/^[a-z]{2}(-[A-Za-z]{2})?$/.test(document.documentElement.lang || "")) {
    problems.push("html-has-lang: the page has no valid lang");
  }
  if (!document.title.trim()) problems.push("document-title: the page has no title");
  // meta-viewport (critical): zooming must stay possible.
  const viewport = document.querySelector("meta[name=viewport]");
  if (viewport && /user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0)?\b/.test(viewport.content)) {
    problems.push("meta-viewport: zooming is disabled");
  }
  // label, select-name (critical): every form control has a name a screen reader says.
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (["hidden", "submit", "button", "reset", "image"].includes(type)) continue;
    if (!accessibleName(el)) problems.push(`label: a form control has no label: ${where(el)}`);
  }
  // button-name, input-button-name (critical), link-name (serious)
  for (const el of document.querySelectorAll("button, input[type=submit], input[type=button], [role=button]")) {
    if (!contentName(el)) problems.push(`button-name: a button has no name: ${where(el)}`);
  }
  for (const el of document.querySelectorAll("a[href]")) {
    if (visible(el) && !contentName(el)) problems.push(`link-name: a link has no name: ${where(el)}`);
  }
  // image-alt (critical), svg-img-alt (serious)
  for (const el of document.querySelectorAll("img:not([alt])")) {
    problems.push(`image-alt: an image has no alt text: ${where(el)}`);
  }
  for (const el of document.querySelectorAll("svg[role=img]")) {
    if (!accessibleName(el) && !el.querySelector("title")) {
      problems.push(`svg-img-alt: an image has no text: ${where(el)}`);
    }
  }
  // duplicate-id-aria, duplicate-id-active (critical/serious): ids that labels and ARIA point at are unique.
  const referenced = new Set();
  for (const el of document.querySelectorAll("label[for]")) referenced.add(el.htmlFor);
  for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby], [aria-controls]")) {
    for (const attribute of ["aria-labelledby", "aria-describedby", "aria-controls"]) {
      for (const id of (el.getAttribute(attribute) || "").split(/\s+/).filter(Boolean)) referenced.add(id);
    }
  }
  for (const id of referenced) {
    if (document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length > 1) {
      problems.push(`duplicate-id-aria: the id ${id} that a label or ARIA refers to is not unique`);
    }
  }
  // aria-valid-attr-value (critical): ARIA references name elements that exist.
  for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby]")) {
    for (const attribute of ["aria-labelledby", "aria-describedby"]) {
      for (const id of (el.getAttribute(attribute) || "").split(/\s+/).filter(Boolean)) {
        if (!byId(id)) problems.push(`aria-valid-attr-value: ${attribute} names a missing id ${id}`);
      }
    }
  }
  // list, listitem, definition-list, dlitem (serious): lists hold their items only.
  for (const list of document.querySelectorAll("ul, ol")) {
    for (const child of list.children) {
      if (!["LI", "SCRIPT", "TEMPLATE"].includes(child.tagName)) {
        problems.push(`list: a list holds a ${child.tagName.toLowerCase()}: ${where(list)}`);
      }
    }
  }
  for (const item of document.querySelectorAll("li")) {
    if (!["UL", "OL", "MENU"].includes(item.parentElement.tagName)) {
      problems.push(`listitem: an item outside a list: ${where(item)}`);
    }
  }
  for (const list of document.querySelectorAll("dl")) {
    for (const child of list.children) {
      if (!["DT", "DD", "DIV", "SCRIPT", "TEMPLATE"].includes(child.tagName)) {
        problems.push(`definition-list: a definition list holds a ${child.tagName.toLowerCase()}`);
      }
    }
  }
  for (const item of document.querySelectorAll("dt, dd")) {
    const parent = item.parentElement;
    const inList = parent.tagName === "DL" || (parent.tagName === "DIV" && parent.parentElement.tagName === "DL");
    if (!inList) problems.push(`dlitem: a ${item.tagName.toLowerCase()} outside a definition list`);
  }
  // nested-interactive (serious): no control inside a link or a button.
  for (const el of document.querySelectorAll("a[href] a[href], a[href] button, button a[href], button button")) {
    problems.push(`nested-interactive: a control inside another: ${where(el)}`);
  }
  // scrollable-region-focusable (serious): a region that scrolls can be reached with the keyboard.
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    const scrolls =
      (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
      (["auto", "scroll"].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1);
    if (!scrolls) continue;
    const focusable = el.tabIndex >= 0 || el.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (!focusable) problems.push(`scrollable-region-focusable: a scrolling region the keyboard cannot reach: ${where(el)}`);
  }
  // color-contrast (serious): text against the background behind it, 4.5:1 (3:1 for large text).
  const rgba = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const luminance = ([r, g, b]) => {
    const channel = (c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const blend = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null; // a gradient or picture: left to a person
      const colour = rgba(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = blend(layer, result);
    return result;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    if (el.closest("[aria-hidden=true], option, select, script, style")) continue;
    const style = getComputedStyle(el);
    if (Number(style.opacity) === 0) continue;
    const behind = background(el);
    const front = rgba(style.color);
    if (!behind || !front) continue;
    const fg = blend(front, behind);
    const [light, dark] = [luminance(fg), luminance(behind)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const disabled = el.closest("button:disabled, input:disabled, [aria-disabled=true]");
    if (!disabled && ratio < (large ? 3 : 4.5)) {
      problems.push(`color-contrast: ${ratio.toFixed(2)}:1 for ${where(el)}`);
    }
  }
  return problems;
};
