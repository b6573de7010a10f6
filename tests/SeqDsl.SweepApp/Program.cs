return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDslExperiments.All, SeqDslExperiments.Default);
