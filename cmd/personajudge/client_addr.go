package main

import "github.com/personajudge/personajudge/internal/multiaddr"

// defaultServiceURL is where `serve` listens when given no --addr.
const defaultServiceURL = "http://127.0.0.1:8080"

// serviceAddr is the default of a client command's --addr flag:
// $PERSONAJUDGE_ADDR when set (one address or a comma-separated list of
// replicas), else the address serve listens on by default.
func serviceAddr() string { return multiaddr.Default(defaultServiceURL) }

// addrUsage is the --addr flag's help, naming the variable.
const addrUsage = "base URL of a running personajudge service; $" + multiaddr.EnvVar + " sets the default"
