// Tables scroll inside their own container on narrow screens (WCAG 2.2 1.4.10 Reflow), not the page.
// Each GOV.UK table is wrapped in a container (a region named after its caption, where it has one). The container
// takes keyboard focus only while it scrolls, even by a pixel, so keyboard users can scroll it and nobody meets a
// useless tab stop.
export function wrapTables (root = document) {
  root.querySelectorAll('table.govuk-table').forEach((table, index) => {
    if (table.parentElement.classList.contains('portal-table-container')) return
    const container = document.createElement('div')
    container.className = 'portal-table-container'
    const caption = table.querySelector('caption')
    if (caption) {
      caption.id = caption.id || `portal-table-caption-${index}`
      container.setAttribute('role', 'region')
      container.setAttribute('aria-labelledby', caption.id)
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
