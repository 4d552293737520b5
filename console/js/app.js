// The console's router: hash URLs (`#/apis/{id}/...`), one render function per page. Each page
// fetches what it shows from the management API when it is opened.

import { announce, attempt, h, replace } from './dom.js'
import { apisPage } from './pages/apis.js'
import { resourcesPage } from './pages/resources.js'
import { methodPage } from './pages/method.js'
import { stagesPage } from './pages/stages.js'
import { authorizersPage } from './pages/authorizers.js'
import { keysPage } from './pages/keys.js'
import { plansPage } from './pages/plans.js'
import { functionsPage } from './pages/functions.js'
import { livePage } from './pages/live.js'

/** @type {Array<[RegExp, (...params: (string | undefined)[]) => Promise<any>]>} */
const ROUTES = [
  [/^\/apis$/, () => apisPage()],
  [/^\/apis\/([^/]+)(?:\/resources(?:\/([^/]+))?)?$/, (id, rid) => resourcesPage(id, rid)],
  [/^\/apis\/([^/]+)\/resources\/([^/]+)\/methods\/([^/]+)$/, (id, rid, verb) => methodPage(id, rid, verb)],
  [/^\/apis\/([^/]+)\/stages(?:\/([^/]+))?$/, (id, stage) => stagesPage(id, stage)],
  [/^\/apis\/([^/]+)\/authorizers$/, (id) => authorizersPage(id)],
  [/^\/keys$/, () => keysPage()],
  [/^\/plans(?:\/([^/]+))?$/, (id) => plansPage(id)],
  [/^\/functions(?:\/([^/]+))?$/, (name) => functionsPage(name)],
  [/^\/live$/, () => livePage()],
]

/** Whether a page was shown already: the first one leaves focus at the start of the document. */
let hasNavigated = false

/** Set by a page that polls (the live view) so leaving it stops the timer. */
let leavePage

/**
 * Shows the page the address names. `isRefresh`: the same page again after a change, where focus
 * goes back to the control that made it (a button of the same name), not to the heading.
 */
async function render(isRefresh = false) {
  const hash = location.hash
  const focused = document.activeElement
  const focusedName = focused?.tagName === 'BUTTON' ? focused.textContent : undefined
  if (!hash.startsWith('#/')) {
    if (hash === '' || hash === '#') location.replace('#/apis')
    return
  }
  const path = hash.slice(1).split('?')[0]
  const main = document.getElementById('main')
  leavePage?.()
  leavePage = undefined
  for (const link of document.querySelectorAll('nav.side a')) {
    const section = link.getAttribute('href').slice(1)
    if (path.startsWith(section)) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  for (const [pattern, page] of ROUTES) {
    const m = pattern.exec(path)
    if (!m) continue
    try {
      const params = m.slice(1).map((p) => (p === undefined ? undefined : decodeURIComponent(p)))
      const view = await page(...params)
      if (location.hash.split('?')[0] !== hash.split('?')[0]) return // the user moved on while it loaded
      replace(main, view.el ?? view)
      leavePage = view.leave
      // After a navigation (not on the first load), focus moves to the new page's heading.
      const again =
        isRefresh && focusedName
          ? [...main.querySelectorAll('button')].find((b) => b.textContent === focusedName)
          : undefined
      if (again) again.focus()
      else if (hasNavigated) document.getElementById('page-title')?.focus()
      hasNavigated = true
    } catch (error) {
      replace(
        main,
        h('h1', { tabindex: '-1', id: 'page-title' }, 'Something went wrong'),
        h('p', { class: 'error' }, String(error?.message ?? error)),
      )
      announce(String(error?.message ?? error), 'error')
    }
    return
  }
  replace(
    main,
    h('h1', { tabindex: '-1', id: 'page-title' }, 'Not found'),
    h('p', {}, h('a', { href: '#/apis' }, 'Back to APIs')),
  )
}

/** Re-renders the current page (after a change that affects what it shows). */
export function refresh() {
  return render(true)
}

/**
 * Runs a change; when it went through, re-renders the page and then announces `done`, so the
 * confirmation comes with the page that shows the change (and a form filled after it is the new one).
 */
export async function change(action, done) {
  if (await attempt(action)) {
    await render(true)
    if (done) announce(done)
  }
}

window.addEventListener('hashchange', () => void render())
document.getElementById('skip-link')?.addEventListener('click', (event) => {
  event.preventDefault()
  const target = document.getElementById('page-title') ?? document.getElementById('main')
  target?.focus()
})
document.getElementById('node').textContent = location.host
void render()
