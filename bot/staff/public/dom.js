// DOM helpers shared by the staff pages (console.js, reports.js), loaded before them. Text always
// goes in as text nodes or textContent, never as HTML: citizens' words reach these pages.
'use strict';

window.PadomsDom = Object.freeze({
  /** An element with properties (class, text, on<event> listeners, attributes) and children. */
  el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children)
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  },

  clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  },
});
