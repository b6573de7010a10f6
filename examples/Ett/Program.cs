return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDsl.Examples.Ett.SeqDslExperiments.All, SeqDsl.Examples.Ett.SeqDslExperiments.Default);
