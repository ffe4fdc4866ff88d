// The template editor's one enhancement: an "Insert" button beside each merge field that puts
// the field's text into the wording at the cursor. Without JavaScript the text is there to copy.
// The buttons are made here, so a page without JavaScript shows none that would do nothing.

/**
 * Put `text` into the textarea in place of its selection, and tell htmx the wording changed.
 * @param {HTMLTextAreaElement} wording
 * @param {string} text
 */
function insertAtCursor (wording, text) {
  const start = wording.selectionStart ?? wording.value.length
  const end = wording.selectionEnd ?? start
  wording.setRangeText(text, start, end, 'end')
  wording.focus()
  wording.dispatchEvent(new Event('input', { bubbles: true }))
}

/**
 * Add an "Insert" button after each merge field's text in the picker.
 * @param {Document} root
 */
export function enhancePicker (root = document) {
  const wording = root.getElementById('wording')
  if (!(wording instanceof HTMLTextAreaElement)) return
  for (const code of root.querySelectorAll('#merge-fields code.app-merge-field')) {
    const text = code.textContent ?? ''
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2'
    button.append('Insert')
    const hidden = document.createElement('span')
    hidden.className = 'govuk-visually-hidden'
    hidden.textContent = ` ${text} into the wording`
    button.append(hidden)
    button.addEventListener('click', () => insertAtCursor(wording, text))
    code.after(button)
  }
}

enhancePicker()
