package fetch

import (
	"context"
	"errors"
	"fmt"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// logCalls adds to a client's stack a step, outside the retries, that
// tells log of each call when it ends: the operation, the secret it names
// (a name, never a value), how many secrets it listed or read, and its
// error code or "ok", with the time taken. It reads nothing of a value,
// and of an error only its code: a message may quote what was sent.
func logCalls(log func(string, ...any)) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		step := middleware.InitializeMiddlewareFunc("keepLogCalls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			began := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			what := awsmiddleware.GetOperationName(ctx)
			if name := callSubject(in.Parameters); name != "" {
				what += " " + name
			}
			took := time.Since(began).Round(time.Millisecond)
			if err != nil {
				log("%s: %s after %s", what, errorCode(err), took)
			} else {
				log("%s: %s in %s", what, callResult(out.Result), took)
			}
			return out, md, err
		})
		return stack.Initialize.Add(step, middleware.After)
	}
}

// callSubject is what a call's input names: its secret, or how many.
func callSubject(params any) string {
	switch in := params.(type) {
	case *secretsmanager.GetSecretValueInput:
		return deref(in.SecretId)
	case *secretsmanager.DescribeSecretInput:
		return deref(in.SecretId)
	case *secretsmanager.ListSecretVersionIdsInput:
		return deref(in.SecretId)
	case *secretsmanager.CreateSecretInput:
		return deref(in.Name)
	case *secretsmanager.PutSecretValueInput:
		return deref(in.SecretId)
	case *secretsmanager.DeleteSecretInput:
		return deref(in.SecretId)
	case *secretsmanager.RestoreSecretInput:
		return deref(in.SecretId)
	case *secretsmanager.BatchGetSecretValueInput:
		if len(in.SecretIdList) > 0 {
			return fmt.Sprintf("(%d names)", len(in.SecretIdList))
		}
		return "(by filter)"
	}
	return ""
}

// callResult is what a call's output holds, counted.
func callResult(result any) string {
	switch out := result.(type) {
	case *secretsmanager.ListSecretsOutput:
		return fmt.Sprintf("%d listed", len(out.SecretList))
	case *secretsmanager.BatchGetSecretValueOutput:
		return fmt.Sprintf("%d read, %d errors", len(out.SecretValues), len(out.Errors))
	case *secretsmanager.ListSecretVersionIdsOutput:
		return fmt.Sprintf("%d versions", len(out.Versions))
	}
	return "ok"
}

// errorCode is err's AWS error code, or "failed" ("timed out" at the
// deadline).
func errorCode(err error) string {
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae):
		return ae.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "failed"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
