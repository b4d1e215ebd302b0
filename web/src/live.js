// The aria-live region: what changed, said to screen readers in batches (a storm of transitions
// becomes one sentence, not a hundred).
const queue = [];
let timer = null;

export function announce(text) {
  queue.push(text);
  if (timer) return;
  timer = setTimeout(flush, 1000);
}

function flush() {
  timer = null;
  const region = document.getElementById('live');
  if (!region || !queue.length) return;
  const items = queue.splice(0);
  const text = items.length <= 3 ? items.join('. ') : `${items.length} changes: ${items.slice(0, 3).join('. ')}, and ${items.length - 3} more`;
  const p = document.createElement('p');
  p.textContent = text;
  region.append(p);
  while (region.childNodes.length > 5) region.firstChild.remove();
}
