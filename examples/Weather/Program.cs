return SeqDsl.Runtime.Cli.SeqDslCli.Run(args, SeqDsl.Examples.Weather.SeqDslExperiments.All, SeqDsl.Examples.Weather.SeqDslExperiments.Default);
