import { messageFor } from '../../../client/core/errors';
import { forgot } from '../../net/auth-api';
import { checkedEmail } from '../checks';
import { h } from '../dom';
import { emailField, focusFirstError, formAlert, submitButton, whileSubmitting } from '../forms';
import { authCard, noticeFor, routeLink, screenHeading, type Screen, type ScreenContext } from '../screen';

export function forgotScreen(context: ScreenContext): Screen {
  const email = emailField(context.state.email);
  const alert = formAlert();
  const notice = noticeFor(context.state);
  const submit = submitButton('Send reset code');

  const form = h('form', { novalidate: true, 'aria-labelledby': 'forgot-title' }, alert.element, email.element, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.clear();
    notice?.remove();
    const address = checkedEmail(email);
    if (address === undefined) {
      focusFirstError([email], context.announcer);
      return;
    }
    void whileSubmitting(submit, 'Sending…', async () => {
      try {
        await forgot(address, context.signal);
        // The API answers the same for unknown addresses (no enumeration), and so does this page.
        context.navigate('/reset', { email: address, notice: `If an account exists for ${address}, we sent it a 6-digit code.` });
      } catch (error) {
        alert.show(messageFor(error));
      }
    });
  });

  const heading = screenHeading('Reset your password');
  heading.id = 'forgot-title';
  return {
    title: 'Reset your password',
    element: authCard(
      heading,
      notice,
      h('p', { class: 'lede' }, "Enter your account's email and we will send you a code to choose a new password."),
      form,
      h('p', { class: 'aside' }, 'Remembered it? ', routeLink(context, '/login', 'Log in')),
    ),
  };
}
