// The session timeout warning (WCAG 2.2.1 Timing adjustable): two minutes before the console
// would sign someone out for inactivity, a warning takes focus and offers "Stay signed in";
// if nobody answers, the page signs out and says why. Page loads and htmx requests are
// activity; the warning's own timers are not. Without JavaScript the server's limit applies.
const WARN_BEFORE_SECONDS = 120

export function startTimeoutWarning (body = document.body) {
  const idleSeconds = Number(body.dataset.idleSeconds)
  const warning = document.getElementById('timeout-warning')
  const stay = document.getElementById('timeout-stay')
  if (!idleSeconds || !warning || !stay) return
  const token = JSON.parse(body.getAttribute('hx-headers') || '{}')['X-CSRFToken']
  let warnTimer, endTimer, returnFocusTo

  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(warn, Math.max(idleSeconds - WARN_BEFORE_SECONDS, 0) * 1000)
    endTimer = setTimeout(signOut, idleSeconds * 1000)
  }
  const warn = () => {
    returnFocusTo = document.activeElement
    warning.hidden = false
    warning.focus()
  }
  const post = (url, fields = {}) => {
    const form = new URLSearchParams({ csrf_token: token, ...fields })
    return fetch(url, { method: 'POST', body: form, credentials: 'same-origin', redirect: 'manual' })
  }
  const signOut = async () => {
    try {
      await post(body.dataset.signOutUrl, { ended: 'idle_timeout' })
    } finally {
      window.location.assign(body.dataset.signedOutUrl)
    }
  }
  stay.addEventListener('click', async () => {
    const answer = await post(body.dataset.keepAliveUrl)
    if (answer.status !== 204) return signOut()
    warning.hidden = true
    if (returnFocusTo && returnFocusTo.focus) returnFocusTo.focus()
    schedule()
  })
  body.addEventListener('htmx:afterRequest', schedule)
  schedule()
}
