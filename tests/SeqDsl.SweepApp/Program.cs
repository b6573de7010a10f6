using SeqDsl.Runtime.Cli;
using SeqDsl.SweepApp;

return SeqDslCli.Run(args, HandBuiltSweeps.Attach(SeqDslExperiments.All), SeqDslExperiments.Default);
