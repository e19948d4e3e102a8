import { ApiError, messageFor } from '../../../client/core/errors';
import { CODE_EXPIRED, CODE_MISMATCH, INVALID_PASSWORD } from '../../../edge-functions/contract/http-errors';
import { reset } from '../../net/auth-api';
import { checkedCode, checkedEmail, checkedNewPassword } from '../checks';
import { h } from '../dom';
import {
  codeField,
  emailField,
  focusFirstError,
  formAlert,
  reportFieldError,
  passwordField,
  submitButton,
  whileSubmitting,
} from '../forms';
import { authCard, noticeFor, routeLink, screenHeading, type Screen, type ScreenContext } from '../screen';

export function resetScreen(context: ScreenContext): Screen {
  const email = emailField(context.state.email);
  const code = codeField();
  const password = passwordField({ label: 'New password', name: 'new-password', autocomplete: 'new-password', policy: true });
  const alert = formAlert();
  const notice = noticeFor(context.state);
  const submit = submitButton('Set new password');

  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'reset-title' },
    alert.element,
    email.element,
    code.element,
    password.element,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.clear();
    notice?.remove();
    const address = checkedEmail(email);
    const value = checkedCode(code);
    const secret = checkedNewPassword(password);
    if (address === undefined || value === undefined || secret === undefined) {
      focusFirstError([email, code, password], context.announcer);
      return;
    }
    void whileSubmitting(submit, 'Saving…', async () => {
      try {
        await reset(address, value, secret, context.signal);
        context.navigate('/login', { email: address, notice: 'Your password has been changed. Log in with the new one.' });
      } catch (error) {
        if (error instanceof ApiError && (error.code === CODE_MISMATCH.code || error.code === CODE_EXPIRED.code)) {
          reportFieldError(
            code,
            error.code === CODE_EXPIRED.code
              ? 'That code has expired. Ask for a new one.'
              : 'That code is not right. Check the email, or ask for a new one.',
            context.announcer,
          );
        } else if (error instanceof ApiError && error.code === INVALID_PASSWORD.code) {
          reportFieldError(password, error.message, context.announcer);
        } else {
          alert.show(messageFor(error));
        }
      }
    });
  });

  const heading = screenHeading('Choose a new password');
  heading.id = 'reset-title';
  return {
    title: 'Choose a new password',
    element: authCard(
      heading,
      notice ?? h('p', { class: 'lede' }, 'Enter the code we emailed you and your new password.'),
      form,
      h(
        'p',
        { class: 'aside' },
        'No code? ',
        routeLink(context, '/forgot', 'Send a new one', context.state.email === undefined ? {} : { email: context.state.email }),
      ),
    ),
  };
}
