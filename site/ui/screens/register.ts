import { ApiError, messageFor } from '../../../client/core/errors';
import { INVALID_PASSWORD, USER_EXISTS } from '../../../edge-functions/contract/http-errors';
import { register } from '../../net/auth-api';
import { checkedEmail, checkedNewPassword } from '../checks';
import { h } from '../dom';
import { emailField, focusFirstError, formAlert, reportFieldError, passwordField, submitButton, whileSubmitting } from '../forms';
import { authCard, noticeFor, routeLink, screenHeading, type Screen, type ScreenContext } from '../screen';

export function registerScreen(context: ScreenContext): Screen {
  const email = emailField(context.state.email);
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'new-password', policy: true });
  const alert = formAlert();
  const notice = noticeFor(context.state);
  const submit = submitButton('Create account');

  const form = h('form', { novalidate: true, 'aria-labelledby': 'register-title' }, alert.element, email.element, password.element, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.clear();
    notice?.remove();
    const address = checkedEmail(email);
    const secret = checkedNewPassword(password);
    if (address === undefined || secret === undefined) {
      focusFirstError([email, password], context.announcer);
      return;
    }
    void whileSubmitting(submit, 'Creating account…', async () => {
      try {
        const result = await register({ email: address, password: secret }, context.signal);
        if (result.confirmed) context.navigate('/login', { email: address, notice: 'Your account is ready. Log in to continue.' });
        else
          context.navigate('/confirm', {
            email: address,
            notice: 'We sent a 6-digit code to your email. Enter it below to confirm your address.',
          });
      } catch (error) {
        if (error instanceof ApiError && error.code === INVALID_PASSWORD.code) {
          reportFieldError(password, error.message, context.announcer);
        } else if (error instanceof ApiError && error.code === USER_EXISTS.code) {
          alert.show(
            'An account with this email already exists.',
            routeLink(context, '/login', 'Log in', { email: address }),
            'or',
            routeLink(context, '/forgot', 'reset the password', { email: address }),
            '.',
          );
        } else {
          alert.show(messageFor(error));
        }
      }
    });
  });

  const heading = screenHeading('Create an account');
  heading.id = 'register-title';
  return {
    title: 'Create an account',
    element: authCard(
      heading,
      notice,
      h('p', { class: 'lede' }, 'Sign up to upload images and PDFs straight to secure storage.'),
      form,
      h('p', { class: 'aside' }, 'Already have an account? ', routeLink(context, '/login', 'Log in')),
    ),
  };
}
