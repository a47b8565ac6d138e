/**
 * The optional script (served as /ui-assets/ui.js): every page works without it. It moves focus to
 * an error summary, asks before destructive actions, shows the browser's own constraint check of a
 * field as a live hint while typing, and hides the parts of a form that do not apply to a choice
 * (\`data-when="field:value"\`). The server still validates every submission.
 */
export const script = `(() => {
  'use strict';
  const summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  }
  for (const input of document.querySelectorAll('[data-live-hint]')) {
    const hint = document.getElementById(input.getAttribute('data-live-hint'));
    if (!hint) continue;
    const check = () => {
      hint.textContent = input.value === '' || input.validity.valid ? '' : input.validationMessage;
    };
    input.addEventListener('input', check);
    input.addEventListener('blur', check);
  }
  for (const part of document.querySelectorAll('[data-when]')) {
    const [name, wanted] = part.getAttribute('data-when').split(':');
    const control = document.querySelector('[name="' + name + '"]');
    if (!control) continue;
    const update = () => { part.hidden = control.value !== wanted; };
    control.addEventListener('change', update);
    update();
  }
})();
`;
