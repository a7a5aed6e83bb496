namespace PSThreading.Core.Sync
{
    /// <summary>
    /// An untimed wait inside a block run inline (<c>$PSThreadingMode = 'Inline'</c>) that nothing could end:
    /// no other live thread could release or signal the object, so the caller's thread would hang.
    /// </summary>
    public sealed class InlineWouldBlockException : ThreadLockException
    {
        internal InlineWouldBlockException(ISyncObject target, string message)
            : base(SyncErrorId.InlineWouldBlock, target, message)
        {
        }
    }
}
