/**
 * A field that stays above the on-screen keyboard [A11Y-2]: when the keyboard opens (the visual
 * viewport shrinks) or the field is focused while it is up, the page scrolls just enough for the
 * whole field to be visible, never so far that its top leaves the screen. Used as `use:aboveKeyboard`.
 */
export function aboveKeyboard(field: HTMLElement): { destroy(): void } {
  const vv = typeof window === 'undefined' ? undefined : window.visualViewport;
  let frame = 0;
  const keep = () => {
    if (document.activeElement !== field) return;
    cancelAnimationFrame(frame);
    // After the layout that follows the resize: measuring before it reads the old sizes.
    frame = requestAnimationFrame(() => {
      const top = vv?.offsetTop ?? 0;
      const bottom = top + (vv?.height ?? window.innerHeight);
      const box = field.getBoundingClientRect();
      const overlap = box.bottom + 8 - bottom;
      if (overlap > 0) window.scrollBy(0, Math.min(overlap, Math.max(0, box.top - top)));
      else if (box.top < top) window.scrollBy(0, box.top - top - 8);
    });
  };
  field.addEventListener('focus', keep);
  vv?.addEventListener('resize', keep);
  window.addEventListener('resize', keep);
  return {
    destroy() {
      cancelAnimationFrame(frame);
      field.removeEventListener('focus', keep);
      vv?.removeEventListener('resize', keep);
      window.removeEventListener('resize', keep);
    }
  };
}

/** Moves to a composer and puts the cursor in it (a tap on Reply or Write) [A11Y-2]. */
export function goToComposer(id: string): void {
  const field = document.getElementById(id);
  if (!field) return;
  field.scrollIntoView({ block: 'center' });
  field.focus({ preventScroll: true });
}
