namespace PSThreading.Runtime
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
                    if (_column == _width)
                    {
                        // The terminal wraps when a character follows a full row, not when the row fills.
                        Count++;
                        _column = 0;
                    }

                    _column++;
                }
            }
        }

        /// <summary>The index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
        private static int EndOfEscape(string text, int start)
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

            return i < text.Length ? i : text.Length - 1;
        }
    }
}
