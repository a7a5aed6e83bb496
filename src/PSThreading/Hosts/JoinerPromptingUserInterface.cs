using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace PSThreading.Hosts
{
    /// <summary>
    /// A worker's host UI whose prompts never read the console from the worker's thread: each goes to
    /// <see cref="Ask"/>, which hands it to whoever runs the worker (a join, the pool's call) to ask on its thread.
    /// </summary>
    internal abstract class JoinerPromptingUserInterface : PSHostUserInterface
    {
        public override string ReadLine() => (string)Ask(ui => ui.ReadLine())!;

        public override SecureString ReadLineAsSecureString() => (SecureString)Ask(ui => ui.ReadLineAsSecureString())!;

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => (Dictionary<string, PSObject>)Ask(ui => ui.Prompt(caption, message, descriptions))!;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
            => (int)Ask(ui => ui.PromptForChoice(caption, message, choices, defaultChoice))!;

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => (PSCredential)Ask(ui => ui.PromptForCredential(caption, message, userName, targetName))!;

        public override PSCredential PromptForCredential(
            string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => (PSCredential)Ask(ui => ui.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options))!;

        /// <summary>Asks <paramref name="ask"/> through the UI of the thread that runs the worker; returns the answer.</summary>
        protected abstract object? Ask(Func<PSHostUserInterface, object?> ask);
    }
}
