// "You'll be signed out soon": warns a signed-in person two minutes before the idle limit ends their session.
// Enhancement only: without JavaScript the server still signs people out after 30 idle minutes.
// It asks the server (GET, which does not count as activity) how long is left before warning, so another tab in use
// keeps this one quiet; "Stay signed in" POSTs to the same URL, which counts as activity.

const dialog = document.querySelector('[data-module="session-timeout"]')

function plural (count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

function describe (seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return plural(minutes, 'minute')
  }
  return plural(Math.max(seconds, 0), 'second')
}

if (dialog && typeof dialog.showModal === 'function') {
  const statusUrl = dialog.dataset.statusUrl
  const signedOutUrl = dialog.dataset.signedOutUrl
  const idleSeconds = parseInt(dialog.dataset.idleSeconds, 10)
  const warningSeconds = parseInt(dialog.dataset.warningSeconds, 10)
  const countdown = dialog.querySelector('[data-session-timeout-countdown]')
  const announce = dialog.querySelector('[data-session-timeout-announce]')
  const stayButton = dialog.querySelector('[data-session-timeout-stay]')
  const csrfInput = dialog.querySelector('input[name="csrfmiddlewaretoken"]')
  let warnTimer = null
  let tickTimer = null
  let deadline = 0
  let lastAnnounced = ''

  const signOut = () => { window.location.assign(signedOutUrl) }

  const schedule = (secondsLeft) => {
    window.clearTimeout(warnTimer)
    window.clearInterval(tickTimer)
    const untilWarning = Math.max(secondsLeft - warningSeconds, 0)
    warnTimer = window.setTimeout(checkThenWarn, untilWarning * 1000)
  }

  const tick = () => {
    const left = Math.round((deadline - Date.now()) / 1000)
    if (left <= 0) {
      window.clearInterval(tickTimer)
      signOut()
      return
    }
    const text = describe(left)
    countdown.textContent = text
    // Screen readers hear the time at most every 20 seconds, not every tick.
    if (left % 20 === 0 && text !== lastAnnounced) {
      announce.textContent = `We will sign you out in ${text}.`
      lastAnnounced = text
    }
  }

  const warn = (secondsLeft) => {
    deadline = Date.now() + secondsLeft * 1000
    countdown.textContent = describe(secondsLeft)
    announce.textContent = ''
    if (!dialog.open) {
      dialog.showModal()
      stayButton.focus()
    }
    tickTimer = window.setInterval(tick, 1000)
  }

  async function checkThenWarn () {
    try {
      const response = await fetch(statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      const body = await response.json()
      if (!body.signed_in) {
        signOut()
        return
      }
      if (body.seconds_left > warningSeconds + 5) {
        schedule(body.seconds_left)
        return
      }
      warn(body.seconds_left)
    } catch (error) {
      warn(warningSeconds)
    }
  }

  async function staySignedIn () {
    window.clearInterval(tickTimer)
    try {
      const response = await fetch(statusUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfInput ? csrfInput.value : '' }
      })
      const body = await response.json()
      if (!body.signed_in) {
        signOut()
        return
      }
      if (dialog.open) dialog.close()
      schedule(body.seconds_left)
    } catch (error) {
      if (dialog.open) dialog.close()
      schedule(idleSeconds)
    }
  }

  stayButton.addEventListener('click', staySignedIn)
  // Escape is "stay signed in": closing the warning must not leave a countdown running unseen.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    staySignedIn()
  })
  schedule(idleSeconds)
}
