using System.Management.Automation;
using PSThreading.Attributes;
using PSThreading.Completion;
using PSThreading.Core.Sync;
using PSThreading.Errors;
using PSThreading.Values;

namespace PSThreading.Commands
{
    /// <summary>
    /// Python's <c>threading.Event()</c>: a flag threads wait for. With -Name the event is process-wide: the
    /// same name gives the same event in every runspace and worker.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ThreadEvent")]
    [OutputType(typeof(ThreadEvent))]
    public sealed class NewThreadEventCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateLockName]
        [ArgumentCompleter(typeof(LockNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Starts set. For a named event that exists already, the event is returned as it is.</summary>
        [Parameter]
        public SwitchParameter Set { get; set; }

        protected override void EndProcessing()
        {
            WriteObject(LockErrorRecord.Run(
                this,
                () => Name == null
                    ? new ThreadEvent(null, Set)
                    : LockRegistry.GetOrCreate(Name, () => new ThreadEvent(Name, Set), _ => true, "an Event"),
                Name));
        }
    }
}
