// The toolkit's ticks are kept across result pages and searches, for this browser tab (sessionStorage): the
// "Download ticked files" form sends every file ticked on any page, and lists those ticked on other pages, with a
// button to clear them all. Without JavaScript each page's ticks are sent on their own, as the form says.
const KEY = 'toolkit-ticked-files'

function read () {
  try {
    return JSON.parse(window.sessionStorage.getItem(KEY)) || {}
  } catch (error) {
    return {}
  }
}

function write (ticked) {
  try {
    window.sessionStorage.setItem(KEY, JSON.stringify(ticked))
  } catch (error) {
    // Storage full or refused (private browsing): ticks then stay per page, as without JavaScript.
  }
}

function labelOf (box) {
  const label = document.querySelector(`label[for="${box.id}"]`)
  if (!label) return box.value
  // "Plan (Resource 01) PDF, 585 bytes": the label's parts (title, hidden resource name, hint) with spaces between.
  return Array.from(label.childNodes, node => node.textContent).join(' ').trim().replace(/\s+/g, ' ')
}

export function keepTicks (form = document.getElementById('download-several')) {
  const summary = form && form.querySelector('[data-ticked-elsewhere]')
  if (!summary) return
  const boxes = Array.from(document.querySelectorAll('input[name="files"][form="download-several"]'))
  const here = new Set(boxes.map(box => box.value))
  const ticked = read()
  for (const box of boxes) {
    if (box.value in ticked) box.checked = true
    else if (box.checked) ticked[box.value] = labelOf(box) // ticked before the back button brought the page back
  }
  write(ticked)

  function show () {
    const elsewhere = Object.entries(read()).filter(([id]) => !here.has(id))
    summary.replaceChildren()
    summary.hidden = elsewhere.length === 0
    if (!elsewhere.length) return
    const heading = document.createElement('p')
    heading.className = 'govuk-body'
    heading.textContent = elsewhere.length === 1
      ? 'You also ticked 1 file on another page:'
      : `You also ticked ${elsewhere.length} files on other pages:`
    const list = document.createElement('ul')
    list.className = 'govuk-list govuk-list--bullet'
    for (const [, label] of elsewhere) {
      const item = document.createElement('li')
      item.textContent = label
      list.append(item)
    }
    const clear = document.createElement('button')
    clear.type = 'button'
    clear.className = 'govuk-button govuk-button--secondary'
    clear.textContent = 'Clear all ticks'
    clear.addEventListener('click', () => {
      write({})
      boxes.forEach(box => { box.checked = false })
      show()
      form.querySelector('button[type="submit"]').focus()
    })
    summary.append(heading, list, clear)
  }

  for (const box of boxes) {
    box.addEventListener('change', () => {
      const now = read()
      if (box.checked) now[box.value] = labelOf(box)
      else delete now[box.value]
      write(now)
    })
  }
  form.addEventListener('submit', () => {
    form.querySelectorAll('input[data-ticked-elsewhere-file]').forEach(input => input.remove())
    for (const id of Object.keys(read())) {
      if (here.has(id)) continue
      const input = document.createElement('input')
      input.type = 'hidden'
      input.name = 'files'
      input.value = id
      input.setAttribute('data-ticked-elsewhere-file', '')
      form.append(input)
    }
  })
  show()
}
