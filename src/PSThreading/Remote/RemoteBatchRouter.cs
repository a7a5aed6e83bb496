using System;
using System.Globalization;
using System.Management.Automation;

namespace PSThreading.Remote
{
    /// <summary>
    /// Tells the batch's items apart: output and records belong to the item at the current position until its
    /// marker comes. An error right before a marker that says the item threw is the item's own error.
    /// Remoting hands output and records over in the order the node wrote them, one at a time.
    /// </summary>
    internal sealed class RemoteBatchRouter
    {
        private readonly object _sync = new object();
        private readonly IRemoteBatchSink _sink;
        private readonly string _tag;
        private readonly RemoteNode _node;
        private int _position;
        private ErrorRecord? _pendingError;

        public RemoteBatchRouter(IRemoteBatchSink sink, string tag, RemoteNode node)
        {
            _sink = sink;
            _tag = tag;
            _node = node;
        }

        public void Output(PSObject value)
        {
            lock (_sync)
            {
                if (value?.Properties[RemoteScripts.ItemEndProperty]?.Value is string tag && tag == _tag)
                {
                    int position = Convert.ToInt32(value.Properties["Position"].Value, CultureInfo.InvariantCulture);
                    bool failed = LanguagePrimitives.IsTrue(value.Properties["Failed"].Value);
                    ErrorRecord? error = null;
                    if (failed)
                    {
                        error = _pendingError ?? new ErrorRecord(new RuntimeException("The item failed."), "RemoteItemFailed", ErrorCategory.NotSpecified, null);
                        _pendingError = null;
                    }

                    FlushPending();
                    _sink.ItemEnded(position, error == null ? null : RemoteRecords.Error(error, _node));
                    _position = position + 1;
                    return;
                }

                _sink.Output(_position, RemoteRecords.Output(value, _node));
            }
        }

        public void Record(object record)
        {
            lock (_sync)
            {
                if (record is ErrorRecord error)
                {
                    FlushPending();
                    _pendingError = error;
                    return;
                }

                _sink.Record(_position, RemoteRecords.Record(record, _node));
            }
        }

        public void Flush()
        {
            lock (_sync)
            {
                FlushPending();
            }
        }

        private void FlushPending()
        {
            if (_pendingError != null)
            {
                _sink.Record(_position, RemoteRecords.Error(_pendingError, _node));
                _pendingError = null;
            }
        }
    }
}
