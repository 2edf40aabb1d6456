package main

import (
	"net/http"
	"strings"
)

// h2cClient speaks HTTP/2 to the service, which streaming needs: over
// cleartext (h2c) for http:// and negotiated by TLS for https://. eval and
// load use it.
func h2cClient(addr string) *http.Client {
	if strings.HasPrefix(addr, "https://") {
		return http.DefaultClient
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}
