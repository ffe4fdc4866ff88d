// The console's one entry point: start GOV.UK Frontend and MOJ Frontend components, and
// start them again inside whatever htmx swaps in. No inline scripts (the CSP has no
// 'unsafe-inline'); pages work without this file.
import { initAll as initGovuk } from './vendor/govuk/govuk-frontend.min.js'
import { initAll as initMoj } from './vendor/moj/moj-frontend.min.js'
import { startTimeoutWarning } from './timeout.mjs'

initGovuk()
initMoj()
startTimeoutWarning()

document.body.addEventListener('htmx:afterSwap', (event) => {
  initGovuk({ scope: event.target })
})
