using Xunit;

namespace PSThreading.Core.Tests
{
    /// <summary>Lock tests run one class at a time: timing bounds hold better without a stress test alongside.</summary>
    [CollectionDefinition(Name)]
    public sealed class LockCollection
    {
        public const string Name = "Locks";
    }
}
