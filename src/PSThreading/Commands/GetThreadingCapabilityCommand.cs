using System.Management.Automation;
using PSThreading.Engine;

namespace PSThreading.Commands
{
    /// <summary>
    /// Lists what this module reads from PowerShell's and PSReadLine's insides, whether each works on this
    /// PowerShell, and the fallback in use where one does not: closed (refuses), warned (says once what is lost),
    /// slower or degraded.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ThreadingCapability")]
    [OutputType(typeof(ThreadingCapability))]
    public sealed class GetThreadingCapabilityCommand : PSCmdlet
    {
        /// <summary>Only the capabilities with these names (wildcards allowed).</summary>
        [Parameter(Position = 0)]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary>Only the capabilities whose fallback is in use now.</summary>
        [Parameter]
        public SwitchParameter FallbackActive { get; set; }

        protected override void ProcessRecord()
        {
            foreach (ThreadingCapability capability in EngineCapabilities.All())
            {
                if ((Name == null || Matches(capability.Name)) && (!FallbackActive || capability.FallbackActive))
                {
                    WriteObject(capability);
                }
            }
        }

        private bool Matches(string name)
        {
            foreach (string pattern in Name!)
            {
                if (WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase).IsMatch(name))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
