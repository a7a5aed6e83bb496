using System;
using System.Management.Automation;
using System.Management.Automation.Remoting;
using System.Management.Automation.Runspaces;

namespace PSThreading.Remote
{
    /// <summary>One session given to -Session: the node it reaches, named as its results name it.</summary>
    internal sealed class RemoteNode
    {
        public RemoteNode(PSSession session, int index)
        {
            Session = session;
            Index = index;
            ComputerName = session.ComputerName;
            RunspaceId = session.Runspace.InstanceId;
            Origin = new OriginInfo(ComputerName, RunspaceId);
        }

        public PSSession Session { get; }

        public Runspace Runspace => Session.Runspace;

        /// <summary>The position of the session in -Session: the worker index its items carry.</summary>
        public int Index { get; }

        public string ComputerName { get; }

        public Guid RunspaceId { get; }

        public OriginInfo Origin { get; }

        /// <summary>True while the session can run commands: not broken, closed or never opened.</summary>
        public bool IsOpen => Runspace.RunspaceStateInfo.State == RunspaceState.Opened;

        public override string ToString() => $"{ComputerName} (session {Session.Id})";
    }
}
