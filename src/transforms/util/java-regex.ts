/**
 * Java regular expressions on JS: compile a Java pattern (the common subset: `\A`, `\z`, `\Z`, a leading
 * `(?i)`), match it against a whole string (`Matcher.matches()`), and expand Java replacement strings
 * (`$1`, `${name}`, `\$`) as `Matcher.replaceFirst` does.
 */
export function compileJavaRegex(pattern: string, wholeMatch: boolean): RegExp {
  let flags = '';
  let p = pattern;
  const inline = /^\(\?([imsux]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const f of inline[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  p = p.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  if (/\\p\{|\\P\{/.test(p)) flags += 'u';
  return new RegExp(wholeMatch ? `^(?:${p})$` : p, flags);
}

/** Expands a Java replacement string for one match (`Matcher.appendReplacement` rules). */
export function expandJavaReplacement(replacement: string, match: RegExpExecArray): string {
  let out = '';
  const groupCount = match.length - 1;
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      i++;
      if (i >= replacement.length) throw new Error('character to be escaped is missing');
      out += replacement[i];
    } else if (c === '$') {
      i++;
      if (i >= replacement.length) throw new Error('Illegal group reference: group index is missing');
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        if (end < 0) throw new Error("named capturing group is missing trailing '}'");
        const name = replacement.slice(i + 1, end);
        if (!match.groups || !(name in match.groups)) throw new Error(`No group with name {${name}}`);
        out += match.groups[name] ?? '';
        i = end;
      } else {
        let ref = replacement.charCodeAt(i) - 48;
        if (ref < 0 || ref > 9) throw new Error('Illegal group reference');
        // Java keeps reading digits while the number is still a valid group.
        while (i + 1 < replacement.length) {
          const d = replacement.charCodeAt(i + 1) - 48;
          if (d < 0 || d > 9) break;
          const next = ref * 10 + d;
          if (next > groupCount) break;
          ref = next;
          i++;
        }
        if (ref > groupCount) throw new Error(`No group ${ref}`);
        out += match[ref] ?? '';
      }
    } else {
      out += c;
    }
  }
  return out;
}
