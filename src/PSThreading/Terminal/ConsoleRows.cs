using PSThreading.Pool;
using PSThreading.Values;

namespace PSThreading.Terminal
{
    /// <summary>
    /// Counts the rows that text written from the start of a row moves the cursor down, as a terminal of
    /// <c>width</c> columns wraps it: a line end moves down, a character past the last column wraps, escape
    /// sequences (colours) take no room. Wide characters count as one column (an estimate).
    /// </summary>
    internal sealed class ConsoleRows
    {
        private readonly int _width;
        private int _column;

        public ConsoleRows(int width)
        {
            _width = width;
        }

        public int Count { get; private set; }

        public bool AtLineStart => _column == 0;

        public void Add(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\n')
                {
                    Count++;
                    _column = 0;
                }
                else if (c == '\r')
                {
                    _column = 0;
                }
                else if (c == '\u001b')
                {
                    i = EndOfEscape(text, i);
                }
                else if (!char.IsControl(c) && !char.IsLowSurrogate(c))
                {
                    int columns = char.IsHighSurrogate(c) || IsWide(c) ? 2 : 1;
                    if (_column + columns > _width && _column > 0)
                    {
                        // The terminal wraps when a character follows a full row (or a wide one does not fit), not
                        // when the row fills.
                        Count++;
                        _column = 0;
                    }

                    _column += columns;
                }
            }
        }

        /// <summary>True for a character that terminals draw two columns wide (CJK, Hangul, full-width forms).</summary>
        public static bool IsWide(char c) =>
            (c >= '\u1100' && c <= '\u115F') || (c >= '\u2E80' && c <= '\uA4CF') || (c >= '\uAC00' && c <= '\uD7A3') ||
            (c >= '\uF900' && c <= '\uFAFF') || (c >= '\uFE30' && c <= '\uFE4F') || (c >= '\uFF00' && c <= '\uFF60') ||
            (c >= '\uFFE0' && c <= '\uFFE6');

        /// <summary>The index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
        public static int EndOfEscape(string text, int start)
        {
            int i = start + 1;
            if (i < text.Length && text[i] == '[')
            {
                // CSI: parameters, then one final character in '@'..'~'.
                for (i++; i < text.Length; i++)
                {
                    if (text[i] >= '@' && text[i] <= '~')
                    {
                        return i;
                    }
                }

                return text.Length - 1;
            }

            if (i < text.Length && text[i] == ']')
            {
                // OSC (a window title, a link): up to BEL or ESC \.
                for (i++; i < text.Length; i++)
                {
                    if (text[i] == '\a')
                    {
                        return i;
                    }

                    if (text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '\\')
                    {
                        return i + 1;
                    }
                }

                return text.Length - 1;
            }

            return i < text.Length ? i : text.Length - 1;
        }
    }
}
