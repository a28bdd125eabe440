"""Citizens' photos and recordings copied from the provider into storage the gateway owns."""
