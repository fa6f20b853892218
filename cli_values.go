package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hearth-oss/hearth/db"
)

// values administers company values: hearth values list|add|remove.
func values(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, "Usage:\n  hearth values list\n  hearth values add NAME [DESCRIPTION]\n  hearth values remove NAME\n")
		if len(args) == 0 {
			return usageError{"values: say list, add or remove"}
		}
		return nil
	}
	return withStore(ctx, getenv, func(store *db.DB) error { return valuesOn(ctx, store, args, stdout) })
}

// valuesOn runs one values subcommand.
func valuesOn(ctx context.Context, store *db.DB, args []string, stdout io.Writer) error {
	switch args[0] {
	case "list":
		vs, err := store.Values(ctx)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			fmt.Fprintln(stdout, "no company values yet; add one with: hearth values add teamwork \"We cover for each other\"")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, v := range vs {
			fmt.Fprintf(tw, "#%s\t%s\n", v.Name, v.Description)
		}
		return tw.Flush()
	case "add":
		if len(args) < 2 {
			return usageError{"values add: give a NAME, like: hearth values add teamwork \"We cover for each other\""}
		}
		v, err := store.AddValue(ctx, args[1], strings.Join(args[2:], " "), "cli")
		if errors.Is(err, db.ErrInvalidValueName) || errors.Is(err, db.ErrConflict) {
			return usageError{"values add: " + err.Error()}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added #%s\n", v.Name)
		return nil
	case "remove":
		if len(args) != 2 {
			return usageError{"values remove: give exactly one NAME"}
		}
		if err := store.RemoveValue(ctx, args[1]); errors.Is(err, db.ErrNotFound) {
			return usageError{"values remove: " + err.Error()}
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed #%s\n", db.NormalizeValueName(args[1]))
		return nil
	}
	return usageError{fmt.Sprintf("values: unknown subcommand %q (list, add or remove)", args[0])}
}
