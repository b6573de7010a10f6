SeqDsl.Examples.Weather.WeatherProgram.Run(args);
