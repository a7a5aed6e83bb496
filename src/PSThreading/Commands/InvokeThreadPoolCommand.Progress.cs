using System;
using System.Globalization;
using System.Management.Automation;
using PSThreading.Core.Pool;

namespace PSThreading.Commands
{
    /// <summary>
    /// The call's progress bar: items done, and the total once the input has ended.
    /// </summary>
    public sealed partial class InvokeThreadPoolCommand
    {
        private void WriteProgressIfDue(ThreadPoolScheduler scheduler)
        {
            if (NoProgress || _watch.Elapsed < _nextProgress)
            {
                return;
            }

            _nextProgress = _watch.Elapsed + s_progressInterval;
            int done = scheduler.FinishedCount;
            long? total = scheduler.TotalCount;
            var record = new ProgressRecord(
                _activityId,
                "Invoke-ThreadPool",
                total.HasValue
                    ? string.Format(CultureInfo.InvariantCulture, "{0} of {1} items done", done, total.Value)
                    : string.Format(CultureInfo.InvariantCulture, "{0} items done, more arriving", done));
            string? held = DescribeHeldBack(scheduler);
            if (held != null)
            {
                record.StatusDescription += held;
            }

            if (total.HasValue && total.Value > 0)
            {
                record.PercentComplete = (int)Math.Min(100, done * 100 / total.Value);
            }

            _progressShown = true;
            WriteProgress(record);
        }
    }
}
