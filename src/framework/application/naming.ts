/** `createTodo` ⇒ `create-todo`, `HTTPHealth` ⇒ `http-health`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .replace(/[\s_]+/g, '-')
    .toLowerCase();
}

/**
 * The default function id: `<controller prefix>::<method-name>` (`todos::create`). A nested
 * prefix keeps its literal segments (`api/todos` ⇒ `api::todos::create`); without a prefix the
 * class name stands in (`HealthController` ⇒ `health::check`).
 */
export function defaultFunctionId(prefix: string, className: string, method: string): string {
  const segments = prefix.split('/').filter((s) => s !== '' && !s.startsWith(':'));
  const namespace = segments.length > 0 ? segments.join('::') : kebabCase(className.replace(/Controller$/, '') || className);
  return `${namespace}::${kebabCase(method)}`;
}
