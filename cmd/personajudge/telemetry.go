package main

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/otel"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
)

// telemetry installs the OpenTelemetry SDK for the service: metrics always
// (served in Prometheus format on /metrics), and OTLP export of traces and
// metrics when the standard OTEL_* variables ask for it
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER).
// Without them no span leaves the process and nothing dials out.
type telemetry struct {
	metrics  http.Handler
	shutdown func(context.Context) error
}

func setupTelemetry(ctx context.Context) (*telemetry, error) {
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName("personajudge")))
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	// Process memory, CPU and Go runtime figures beside the service's own:
	// what an operator checks first under load.
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	prom, err := promexporter.New(promexporter.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	mopts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(prom)}
	var shutdowns []func(context.Context) error
	if otlpWanted("OTEL_METRICS_EXPORTER") {
		r, err := autoexport.NewMetricReader(ctx)
		if err != nil {
			return nil, err
		}
		mopts = append(mopts, sdkmetric.WithReader(r))
	}
	mp := sdkmetric.NewMeterProvider(mopts...)
	otel.SetMeterProvider(mp)
	shutdowns = append(shutdowns, mp.Shutdown)

	if otlpWanted("OTEL_TRACES_EXPORTER") {
		exp, err := autoexport.NewSpanExporter(ctx)
		if err != nil {
			return nil, err
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithBatcher(exp))
		otel.SetTracerProvider(tp)
		shutdowns = append(shutdowns, tp.Shutdown)
	}
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return &telemetry{
		metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		shutdown: func(ctx context.Context) error {
			var errs []error
			for _, s := range shutdowns {
				errs = append(errs, s(ctx))
			}
			return errors.Join(errs...)
		},
	}, nil
}

// otlpWanted reports whether the environment configures an exporter for a
// signal: its own variable (other than "none") or an OTLP endpoint.
func otlpWanted(signalVar string) bool {
	if v := os.Getenv(signalVar); v != "" {
		return v != "none"
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != ""
}
