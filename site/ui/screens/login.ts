import { ApiError, messageFor } from '../../../client/core/errors';
import { INVALID_CREDENTIALS, PASSWORD_RESET_REQUIRED, USER_NOT_CONFIRMED } from '../../../edge-functions/contract/http-errors';
import { login } from '../../net/auth-api';
import { checkedEmail, checkedPassword } from '../checks';
import { h } from '../dom';
import { emailField, focusFirstError, formAlert, passwordField, submitButton, whileSubmitting } from '../forms';
import { authCard, noticeFor, routeLink, type Screen, type ScreenContext, screenHeading } from '../screen';

export function loginScreen(context: ScreenContext): Screen {
  const email = emailField(context.state.email);
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password', policy: false });
  const alert = formAlert();
  const notice = noticeFor(context.state);
  const submit = submitButton('Log in');

  const form = h('form', { novalidate: true, 'aria-labelledby': 'login-title' }, alert.element, email.element, password.element, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.clear();
    notice?.remove();
    const address = checkedEmail(email);
    const secret = checkedPassword(password);
    if (address === undefined || secret === undefined) {
      focusFirstError([email, password], context.announcer);
      return;
    }
    void whileSubmitting(submit, 'Logging in…', async () => {
      try {
        const grant = await login({ email: address, password: secret }, context.signal);
        context.session.accept(grant);
        context.navigate(context.state.next ?? '/upload');
      } catch (error) {
        if (error instanceof ApiError && error.code === USER_NOT_CONFIRMED.code) {
          context.navigate('/confirm', {
            email: address,
            notice: 'Confirm your email first: enter the code we sent when you signed up, or send a new one.',
          });
        } else if (error instanceof ApiError && error.code === PASSWORD_RESET_REQUIRED.code) {
          context.navigate('/forgot', {
            email: address,
            notice: 'Your password must be reset before you can log in: ask for a reset code below.',
          });
        } else if (error instanceof ApiError && error.code === INVALID_CREDENTIALS.code) {
          alert.show('The email or password is not right.', routeLink(context, '/forgot', 'Forgot your password?', { email: address }));
          password.input.focus();
        } else {
          alert.show(messageFor(error));
        }
      }
    });
  });

  const heading = screenHeading('Log in');
  heading.id = 'login-title';
  return {
    title: 'Log in',
    element: authCard(
      heading,
      notice,
      form,
      h('p', { class: 'aside' }, routeLink(context, '/forgot', 'Forgot your password?')),
      h('p', { class: 'aside' }, 'New here? ', routeLink(context, '/register', 'Create an account')),
    ),
  };
}
