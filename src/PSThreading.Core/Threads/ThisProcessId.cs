namespace PSThreading.Core.Threads
{
    /// <summary>This process's id, read once.</summary>
    internal static class ThisProcessId
    {
        public static readonly int Value = ReadId();

        private static int ReadId()
        {
            using (var self = System.Diagnostics.Process.GetCurrentProcess())
            {
                return self.Id;
            }
        }
    }
}
