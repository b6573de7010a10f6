return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDsl.Examples.TextGeneration.SeqDslExperiments.All, SeqDsl.Examples.TextGeneration.SeqDslExperiments.Default);
