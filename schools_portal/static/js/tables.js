// Tables scroll inside their own container on narrow screens (WCAG 2.2 1.4.10 Reflow), not the page.
// Each GOV.UK table is wrapped in a container (a region named after the table). The container takes keyboard focus
// only while it scrolls, even by a pixel, so keyboard users can scroll it and nobody meets a useless tab stop; the
// stylesheet shades the edge that has more table beyond it (portal.scss, "scroll shadows"), so the last columns do
// not look absent.

// The text of the closest heading before `element` in the document, or ''.
function nearestHeading (element) {
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4'))
  const before = headings.filter(heading => heading.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING)
  return before.length ? before[before.length - 1].textContent.trim().replace(/\s+/g, ' ') : ''
}

export function wrapTables (root = document) {
  root.querySelectorAll('table.govuk-table').forEach((table, index) => {
    if (table.parentElement.classList.contains('portal-table-container')) return
    const container = document.createElement('div')
    container.className = 'portal-table-container'
    // The region is named after the table: its caption, else its own label, else the heading just before it.
    const caption = table.querySelector('caption')
    const label = table.getAttribute('aria-label') || nearestHeading(table)
    if (caption) {
      caption.id = caption.id || `portal-table-caption-${index}`
      container.setAttribute('role', 'region')
      container.setAttribute('aria-labelledby', caption.id)
    } else if (label) {
      container.setAttribute('role', 'region')
      container.setAttribute('aria-label', label)
    }
    table.parentNode.insertBefore(container, table)
    container.appendChild(table)
    const focusableWhenScrolling = () => {
      if (container.scrollWidth > container.clientWidth) {
        container.setAttribute('tabindex', '0')
      } else {
        container.removeAttribute('tabindex')
      }
    }
    focusableWhenScrolling()
    if ('ResizeObserver' in window) {
      // The container's width changes with the window; the table's with its content (fonts, images, late rows).
      const observer = new ResizeObserver(focusableWhenScrolling)
      observer.observe(container)
      observer.observe(table)
    }
  })
}
