process.stdout.write("ferry: no commands yet\n");
