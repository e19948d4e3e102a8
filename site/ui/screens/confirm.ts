import { ApiError, messageFor } from '../../../client/core/errors';
import { CODE_EXPIRED, CODE_MISMATCH } from '../../../edge-functions/contract/http-errors';
import { confirm, resend } from '../../net/auth-api';
import { checkedCode, checkedEmail } from '../checks';
import { h, setText } from '../dom';
import { codeField, emailField, focusFirstError, formAlert, reportFieldError, submitButton, whileSubmitting } from '../forms';
import { authCard, noticeFor, routeLink, screenHeading, type Screen, type ScreenContext } from '../screen';

/** Between two "send a new code" clicks: codes take a moment to arrive, and the API rate-limits. */
export const RESEND_COOLDOWN_SECONDS = 30;

export function confirmScreen(context: ScreenContext): Screen {
  const email = emailField(context.state.email);
  const code = codeField();
  const alert = formAlert();
  const notice = noticeFor(context.state);
  const status = h('p', { class: 'inline-status', role: 'status' });
  const submit = submitButton('Confirm email');
  const resendButton = h('button', { type: 'button', class: 'button-secondary' }, 'Send a new code');
  let cooldown: ReturnType<typeof setInterval> | undefined;

  const form = h(
    'form',
    { novalidate: true, 'aria-labelledby': 'confirm-title' },
    alert.element,
    email.element,
    code.element,
    h('div', { class: 'button-row' }, submit, resendButton),
    status,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    alert.clear();
    notice?.remove();
    setText(status, '');
    const address = checkedEmail(email);
    const value = checkedCode(code);
    if (address === undefined || value === undefined) {
      focusFirstError([email, code], context.announcer);
      return;
    }
    void whileSubmitting(submit, 'Confirming…', async () => {
      try {
        await confirm(address, value, context.signal);
        context.navigate('/login', { email: address, notice: 'Your email is confirmed. Log in to continue.' });
      } catch (error) {
        if (error instanceof ApiError && (error.code === CODE_MISMATCH.code || error.code === CODE_EXPIRED.code)) {
          reportFieldError(
            code,
            error.code === CODE_EXPIRED.code
              ? 'That code has expired. Send a new one below.'
              : 'That code is not right. Check the email, or send a new code.',
            context.announcer,
          );
        } else {
          alert.show(messageFor(error));
        }
      }
    });
  });

  resendButton.addEventListener('click', () => {
    if (resendButton.getAttribute('aria-disabled') === 'true') return;
    alert.clear();
    notice?.remove();
    const address = checkedEmail(email);
    if (address === undefined) {
      focusFirstError([email], context.announcer);
      return;
    }
    let sent = false;
    void whileSubmitting(resendButton, 'Sending…', async () => {
      try {
        await resend(address, context.signal);
        sent = true;
        setText(status, `If ${address} is waiting for confirmation, a new code is on its way.`);
      } catch (error) {
        alert.show(messageFor(error));
      }
    }).then(() => {
      if (sent) startCooldown();
    });
  });

  function startCooldown(): void {
    let left = RESEND_COOLDOWN_SECONDS;
    const label = 'Send a new code';
    resendButton.setAttribute('aria-disabled', 'true');
    const tick = () => {
      setText(resendButton, left > 0 ? `${label} (${left} s)` : label);
      if (left <= 0) {
        clearInterval(cooldown);
        cooldown = undefined;
        resendButton.removeAttribute('aria-disabled');
      }
      left -= 1;
    };
    tick();
    cooldown = setInterval(tick, 1000);
  }

  const heading = screenHeading('Confirm your email');
  heading.id = 'confirm-title';
  return {
    title: 'Confirm your email',
    element: authCard(
      heading,
      notice ?? h('p', { class: 'lede' }, 'Enter the 6-digit code we emailed you when you signed up.'),
      form,
      h(
        'p',
        { class: 'aside' },
        'Already confirmed? ',
        routeLink(context, '/login', 'Log in', context.state.email === undefined ? {} : { email: context.state.email }),
      ),
    ),
    dispose: () => {
      if (cooldown !== undefined) clearInterval(cooldown);
    },
  };
}
