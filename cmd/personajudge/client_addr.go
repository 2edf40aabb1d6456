package main

import "os"

// addrEnv names the environment variable that gives the client commands
// (score, eval, calibrate, load) the service address, so a shell session or
// a CI job sets it once; an --addr flag still wins.
const addrEnv = "PERSONAJUDGE_ADDR"

// defaultServiceURL is where `serve` listens when given no --addr.
const defaultServiceURL = "http://127.0.0.1:8080"

// serviceAddr is the default of a client command's --addr flag:
// $PERSONAJUDGE_ADDR when set, else the address serve listens on by default.
func serviceAddr() string {
	if a := os.Getenv(addrEnv); a != "" {
		return a
	}
	return defaultServiceURL
}

// addrUsage is the --addr flag's help, naming the variable.
const addrUsage = "base URL of a running personajudge service; $" + addrEnv + " sets the default"
