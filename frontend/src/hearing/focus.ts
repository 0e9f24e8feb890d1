// Redraws that keep the person's place: the views draw themselves anew on
// every plan event, and the control being used must stay focused.
/**
 * restoreFocus puts the focus, after a redraw, on the control of root
 * with data-key key, with the caret where it was in the one it replaces.
 */
export function restoreFocus(root: HTMLElement, key: string, was: HTMLElement | null): void {
  const el = root.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  if (!el) return;
  el.focus();
  if ((el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && el.type === 'text')) && (was instanceof HTMLTextAreaElement || was instanceof HTMLInputElement)) {
    try {
      el.setSelectionRange(was.selectionStart, was.selectionEnd);
    } catch {
      // Not a text control after all.
    }
  }
}
